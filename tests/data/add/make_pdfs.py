"""Regenerate the PDF fixtures (run once; the PDFs are committed): `python make_pdfs.py`.

report.pdf   a two-page printout of an article, with a real text layer (matplotlib's PDF
             backend, TrueType fonts embedded, so pypdf can extract the text);
scanned.pdf  one page that is only a picture of text (no text layer, as from a scanner).
"""

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("pdf")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

HERE = Path(__file__).parent
matplotlib.rcParams.update({"pdf.fonttype": 42, "pdf.compression": 9, "font.family": "DejaVu Sans"})

TITLE = "Helpline for conscientious objectors receives 4,000 calls in a month"
PAGES = [
    [
        "Nordic Refugee Legal Aid - Briefing",
        "",
        TITLE,
        "By Henrik Lindqvist, Oslo, 14 November 2022",
        "",
        "A telephone helpline for Russians who want to avoid military service received more than"
        " four thousand calls in its first month, the legal aid association that runs it said on"
        " Monday. Most callers asked whether they could apply for asylum in Norway or Finland after"
        " crossing the border, and what documents they would need to show.",
        "",
        "The association said that volunteer lawyers answered calls in Russian for twelve hours a day."
        " About a third of the callers were relatives of men who had already received a summons and"
        " were trying to find out whether a conviction for evading mobilisation would count as"
        " persecution under the refugee convention.",
    ],
    [
        "Lawyers at the association said the answer depended on the individual case and that no"
        " country in the region had yet issued general guidance. They advised callers to keep every"
        " document they received from the military enlistment office, including photographs of"
        " summonses delivered to their homes.",
        "",
        "The helpline will continue until at least the end of March. The association has asked the"
        " Norwegian government for funding to hire two more interpreters for the winter months.",
    ],
]


def page(pdf, lines):
    fig = plt.figure(figsize=(8.27, 11.69))
    y = 0.94
    for para in lines:
        for line in textwrap.wrap(para, 80) or [""]:
            fig.text(0.08, y, line, fontsize=10.5)
            y -= 0.022
    pdf.savefig(fig)
    plt.close(fig)


with PdfPages(HERE / "report.pdf", metadata={"Title": TITLE, "Author": "Henrik Lindqvist"}) as pdf:
    for lines in PAGES:
        page(pdf, lines)

rng = np.random.default_rng(7)
fig = plt.figure(figsize=(8.27, 11.69))
ax = fig.add_axes((0.08, 0.1, 0.84, 0.8))
ax.imshow(rng.random((60, 40)) > 0.7, cmap="gray_r", interpolation="nearest")
ax.set_axis_off()
fig.savefig(HERE / "scanned.pdf", metadata={"Title": None, "Producer": "scanner"})
plt.close(fig)
