"""Cue words of the rules backend: titles and speech verbs that mark people, head words and
nouns that mark organisations and places, event triggers and nationality words. Generic
English and world knowledge only: nothing here names a person, place or sentence of an
article the rules were measured on.
"""

from __future__ import annotations

import re

PERSON_TITLES = frozenset(
    """
    mr mrs ms miss dr prof sir president minister premier chancellor spokesman spokeswoman
    spokesperson secretary general colonel col lieutenant lt major sergeant captain admiral
    commander senator governor mayor ambassador director chairman chairwoman chair head
    judge lawyer pope king queen prince princess deputy officer soldier journalist
    correspondent writer reporter activist leader founder president-elect coordinator
    wife husband son daughter brother sister mother father friend colleague named
    """.split()
)
SPEECH_VERBS = frozenset(
    "said says say told tells added adds explained explains asked asks recalled recalls "
    "wrote writes noted notes stressed confided confides insisted insists continued "
    "continues admitted admits declared declares remembers remembered recounts recounted "
    "quips quipped describes described announced announces".split()
)
#: Verbs of reporting that outlets, agencies and groups take more than people do.
REPORTING_VERBS = frozenset(
    "reported reports estimated estimates counted counts published publishes cited cites "
    "calculated documented documents tallied writes wrote notes noted".split()
)
#: Nouns right before a name that make it an organisation ("newspaper Kommersant",
#: "the rights group OVD-Info", "the Telegram channel X").
ORG_BEFORE = {
    **dict.fromkeys("newspaper outlet agency channel broadcaster website magazine daily portal "
                    "publication station tabloid weekly".split(), "MediaOrganisation"),
    **dict.fromkeys("group organisation organization ngo project movement foundation charity "
                    "initiative monitor watchdog".split(), "NGO"),
    **dict.fromkeys("party".split(), "Organisation"),
    **dict.fromkeys("company firm airline carrier bank operator".split(), "Company"),
}
#: Roles written between an organisation's name and a person's ("Meduza editor X").
ROLE_AFTER_ORG = frozenset(
    "head director founder co-founder cofounder spokesman spokeswoman spokesperson chief leader "
    "coordinator chairman chairwoman editor lawyer ceo executive analyst researcher "
    "correspondent".split()
)
#: Platforms whose name ends a channel's name ("the Tut Dagestan Telegram channel").
PLATFORMS = frozenset("telegram youtube twitter facebook instagram vkontakte vk tiktok".split())
#: Head words and suffixes of organisation names, with the class they suggest.
ORG_HEADS = {
    **dict.fromkeys(
        "ministry department service services agency council committee guard guards police "
        "government administration parliament duma senate court prosecutor office kremlin "
        "commission directorate inspectorate authority authorities".split(),
        "GovernmentBody",
    ),
    **dict.fromkeys("army forces navy military brigade regiment division".split(),
                    "ArmedForces"),
    **dict.fromkeys(
        "news tv radio press times post herald journal gazette telegraph channel television "
        "newspaper media agence".split(),
        "MediaOrganisation",
    ),
    **dict.fromkeys(
        "foundation organization organisation association society fund bureau institute "
        "centre center movement coalition league federation watch network initiative "
        "project alliance team assembly campaign trust".split(),
        "NGO",
    ),
    **dict.fromkeys("union nations nato".split(), "IntergovernmentalOrganisation"),
    **dict.fromkeys("inc ltd llc corp company group bank airlines airways".split(), "Company"),
    **dict.fromkeys("party university academy tribunal board forum".split(), "Organisation"),
}
#: Heads after which "to" and a capitalised verb go on with the name ("Committee to Protect
#: Journalists", "Campaign to Stop ...").
ORG_HEADS_TO = frozenset(
    "committee campaign coalition alliance movement foundation fund initiative society "
    "league association".split()
)
#: Seats of government named for the institution ("the White House said").
SEATS_OF_GOVERNMENT = {"white house": "GovernmentBody", "pentagon": "ArmedForces",
                       "downing street": "GovernmentBody", "elysee palace": "GovernmentBody",
                       "élysée palace": "GovernmentBody", "kremlin": "GovernmentBody"}
#: Domains that end an outlet's name ("Lenta.ru", "Gazeta.ru", "Meduza.io").
_DOMAIN_END = re.compile(r"\.(?:ru|com|org|net|io|info|media|news|ua|kz|by|am|ge|az|kg|uz|tj|"
                         r"md|lv|lt|ee|pl|de|fr|uk|eu|me|tv|fm)(?![\w-])(?!\.\w)")
#: Lower-case nouns for state institutions: "<Demonym> authorities" names an organisation.
INSTITUTION_NOUNS = {
    "authorities": "GovernmentBody", "government": "GovernmentBody", "police": "GovernmentBody",
    "army": "ArmedForces", "military": "ArmedForces", "navy": "ArmedForces",
    "guard": "GovernmentBody", "guards": "GovernmentBody", "services": "GovernmentBody",
    "ministry": "GovernmentBody", "parliament": "GovernmentBody",
    "embassy": "GovernmentBody", "consulate": "GovernmentBody", "prosecutors": "GovernmentBody",
    "customs": "GovernmentBody",
}
#: Lower-case modifiers allowed between the nationality and the institution noun.
INSTITUTION_MODIFIERS = frozenset(
    "border security secret federal interior foreign defence defense justice state "
    "armed riot traffic migration customs intelligence".split()
)
#: Capitalised words that open a sentence without being names (beyond the stop words).
LEADING_FUNCTION_WORDS = frozenset(
    "like unlike despite according although though yes no thanks meanwhile however maybe "
    "perhaps "
    "instead later earlier today yesterday tomorrow now then there here".split()
)
PLACE_PREPOSITIONS = frozenset(
    "in to from via near into across towards toward through at outside inside".split()
)
PLACE_AFTER = {
    "region": "Region", "oblast": "Region", "province": "Region", "republic": "Region",
    "territory": "Region", "district": "Region", "border": "Border", "city": "City",
    "airport": "BorderCrossingPoint", "crossing": "BorderCrossingPoint",
    "checkpoint": "BorderCrossingPoint",
}
#: Last words that make a capitalised name a place ("Abovyan Street", "Red Square").
PLACE_HEADS = {
    "street": "Place", "avenue": "Place", "square": "Place", "road": "Place",
    "boulevard": "Place", "lane": "Place", "bridge": "Place", "river": "Place",
    "lake": "Place", "island": "Place", "islands": "Place", "mountains": "Place",
    "valley": "Place", "oblast": "Region", "province": "Region", "krai": "Region",
    "airport": "BorderCrossingPoint", "checkpoint": "BorderCrossingPoint",
    "crossing": "BorderCrossingPoint", "station": "Place", "port": "Place",
}
#: Lower-case nouns right after a name that make it an organisation ("the United Russia
#: party", "the Tut Dagestan Telegram channel", "the Mediazona outlet").
ORG_AFTER = {
    **{w: c for w, c in ORG_HEADS.items() if c != "ArmedForces"},
    **dict.fromkeys("outlet website portal site newspaper magazine broadcaster publication "
                    "channels".split(), "MediaOrganisation"),
    **dict.fromkeys("faction".split(), "Organisation"),
}
#: Nouns that, before "of", make the next name a place ("the border town of X").
PLACE_OF = frozenset(
    "town city village region republic province district settlement capital port crossing "
    "checkpoint oblast area county municipality island peninsula state suburb outskirts "
    "neighbourhood neighborhood".split()
)
#: First words that make a capitalised run a place ("North Caucasus", "Upper Lars").
PLACE_FIRST = frozenset(
    "north south east west northern southern eastern western central upper lower greater "
    "saint st san santa lake mount cape port fort gulf".split()
)
#: Offices that may be glued to the name after them ("Minister of Internal Affairs X").
OFFICE_WORDS = frozenset(
    "affairs internal foreign interior defence defense justice health finance economy "
    "education emergency emergencies situations digital development state security culture "
    "labour labor transport energy agriculture environment trade industry science "
    "communications information migration".split()
)
#: Lower-case words that may sit inside a name ("Ministry of Defence", "Charles de Gaulle").
CONNECTORS = frozenset("of for de du la le von van der al bin da".split())

#: Event trigger words (regular expressions, matched case-insensitively on word boundaries)
#: and the ontology class they suggest. Generic English, not taken from any one article.
EVENT_TRIGGERS: list[tuple[str, str]] = [
    (r"(?:(?:partial|general|full|total|new) )?(?:military )?(?:mobili[sz]ations?|call-ups?"
     r"|draft)|call(?:ed|ing)? up|drafted", "Mobilisation"),
    (r"(?:(?:first|second) world war|world war (?:i{1,2}|one|two|[12]))", "Invasion"),
    (r"(?:full-scale |military |russian )?(?:invasion|offensive)|invade|invaded|invading|wars?",
     "Invasion"),
    (r"annexation|annexed", "Annexation"),
    (r"referend(?:um|ums|a)", "Referendum"),
    (r"desertions?|deserted|defections?|defected|going awol|went awol", "Desertion"),
    (r"exodus", "Exodus"),
    (r"(?:border|crossing) closures?|closures? of (?:the )?(?:border|crossing)s?"
     r"|clos(?:e|ed|es|ing) (?:(?:the|its|their|all|four|some) )?(?:\w+ )?(?:border|crossing|"
     r"checkpoint)s?(?: crossings?| points?)?|closing of (?:the )?(?:\w+ )?borders?"
     r"|(?:entry|travel|visa|tourist) (?:bans?|restrictions?|requirements?)"
     r"|(?:visa|entry) rules", "EntryRestriction"),
    (r"arrests?|arrested|detentions?|detained|detaining|apprehended|taken into custody",
     "Arrest"),
    (r"illegal(?:ly)? (?:crossed|crossing|entry|border crossings?)|crossed (?:the border )?"
     r"illegally", "BorderCrossing"),
    (r"(?:deportation|deported|deporting|extradition|extradited|extradite|expelled|expulsion)"
     r"(?! (?:requests?|treat(?:y|ies)|agreements?|laws?|proceedings|cases|hearings?)\b)",
     "Deportation"),
    (r"(?:western |international |economic )?sanctions", "PolicyMeasure"),
    (r"(?:anti-war |anti-mobili[sz]ation |mass )?(?:protests?|demonstrations?|rall(?:y|ies))"
     r"|protest(?:ed|ing)", "Protest"),
    (r"arsons?(?: attacks?| attempts?)?|set (?:on )?fire|set(?:ting)? ablaze|burn(?:ed|t) down"
     r"(?: completely)?|(?:attempt(?:ed|ing)? to )?burn down|firebomb(?:ed|ing)?"
     r"|molotov cocktails?|(?:drone |missile )?attacks?|bombings?|shelling"
     r"|(?:(?<=the )|(?<=a )|(?<=several )|(?<=two )|(?<=three )|(?<=new ))fires?", "Attack"),
    (r"prosecutions?|trials?|criminal (?:case|cases|proceedings)|sentencing|sentenced"
     r"|convicted|convictions?", "Prosecution"),
    (r"pandemic|epidemic|covid(?:-19)?", "Pandemic"),
]
_TRIGGER_RE = [(re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", re.I), c) for p, c in EVENT_TRIGGERS]

#: Nationality and regional adjectives (and nouns) of the world's countries: not names. A
#: list rather than a suffix rule, which also caught given names (Sergei, Ivan, Erik, Marek).
DEMONYMS = frozenset(
    """
    afghan albanian algerian american andorran angolan argentine argentinian armenian
    australian austrian azerbaijani azeri bahamian bahraini bangladeshi barbadian belarusian
    belgian belizean beninese bhutanese bolivian bosnian botswanan brazilian british briton
    bruneian bulgarian burkinabe burmese burundian cambodian cameroonian canadian chadian
    chilean chinese colombian congolese croatian cuban cypriot czech danish dane djiboutian
    dominican dutch ecuadorian egyptian emirati english eritrean estonian ethiopian european
    fijian filipino finnish finn french gabonese gambian georgian german ghanaian greek
    guatemalan guinean guyanese haitian honduran hungarian icelandic indian indonesian
    iranian iraqi irish israeli italian ivorian jamaican japanese jordanian kazakh
    kazakhstani kenyan korean kosovar kuwaiti kyrgyz lao laotian latvian lebanese liberian
    libyan lithuanian luxembourgish macedonian malagasy malawian malaysian maldivian malian
    maltese mauritanian mauritian mexican moldovan monegasque mongolian montenegrin moroccan
    mozambican namibian nepalese nepali nicaraguan nigerian nigerien norwegian omani
    pakistani palestinian panamanian paraguayan peruvian polish portuguese qatari romanian
    russian rwandan salvadoran samoan saudi scottish senegalese serbian sierra slovak
    slovakian slovenian somali south spanish sri sudanese surinamese swazi swedish swiss
    syrian taiwanese tajik tajikistani tanzanian thai togolese tunisian turkish turkmen
    ugandan ukrainian uruguayan uzbek uzbekistani venezuelan vietnamese welsh yemeni
    zambian zimbabwean soviet nordic baltic scandinavian caucasian slavic slav arab asian
    african latin chechen dagestani tatar bashkir buryat yakut ossetian abkhaz ingush
    crimean siberian
    """.split()
)
#: What may follow a person's name: an age (", 32,", ", a 49-year-old"), a pseudonym note
#: ("(not his real name)", "(name changed)", "(a pseudonym)") or an apposition naming a human
#: role (", a man from ...").
_PERSON_AFTER = re.compile(
    r"(?:,? \((?:not (?:his|her|their) real name|(?:(?:his|her|their) )?(?:first )?names? "
    r"(?:has been |have been )?changed|a pseudonym|pseudonym|\d{1,3})\)"
    r"|, (?:a |an )?\d{1,3}(?:,| years?\b|-year)"
    r"|, (?:a|an) \d{1,3}-year-old\b|, who\b"
    r"|, (?:a|an|the) (?:\d{1,3}-year-old )?(?:[a-z]+ )?(?:man|woman|owner|resident|student|"
    r"worker|engineer|officer|soldier|father|mother|mother-of|grandmother|grandfather|"
    r"teacher|doctor|nurse|lawyer|activist|journalist|deserter|conscript|volunteer|"
    r"programmer|businessman|businesswoman|pensioner|retiree|veteran)\b)"
)
#: After a one-word GeoNames name, what says it names a person: an apposition with a human
#: noun (not a place noun: "Samara, a city on the Volga") or a speech verb.
_PERSON_CONTEXT = re.compile(
    r",? (?:a|an) (?!(?:\w+ )?(?:city|town|village|region|republic|province|district|port"
    r"|capital|country|state|settlement|area|island)\b)[a-z-]+(?: [a-z-]+)?(?: (?:of|in|from|at"
    r"|who)\b|,)"
    r"|,? (?:\d{1,3},? )?(?:said|says|told|tells|recalled|recalls|explained|added|asked)\b"
)
#: Abbreviations after which a full stop does not end a name ("St. Petersburg").
_NAME_ABBREVIATIONS = frozenset("st mr mrs ms dr jr sr mt ft gen col lt".split())
#: Capitalised abbreviations that are not names of organisations.
COMMON_ACRONYMS = frozenset(
    "NGO NGOS GMT UTC CEO CFO TV PM AM ID OK USD EUR RUB GDP PR HIV AIDS DNA SMS IT VPN "
    "PDF FAQ DIY ASAP AKA".split()
)
