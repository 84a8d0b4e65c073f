"""Deterministic generator of realistic synthetic corpora and curated data, for benchmarks.

    python -m benchmarks.generate --triples 1e6 --seed 42 --out /tmp/synth-1m

OUT/corpus/ holds article texts and their sources.yaml (the shape of ../shared/corpus);
OUT/data/ holds a curated folder in the shape of data/curated/: sources.yaml (the articles and
a `gazetteer` reference source), entities/ (people, organisations and events as YAML, their
long tail as CSV, places.csv with located_in), and facts/ (CSV shards of a few hundred
articles each, plus one YAML file per source for about one article in sixteen and a
gazetteer.yaml). Built by kg_builder against OUT/corpus, the graph has about --triples quads.

The world is news reporting on flight from Russia after 2022: people flee the mobilisation,
desert, protest and are arrested; states close borders or admit deserters; NGOs help. Hubs
(Russia, the mobilisation, big NGOs, news agencies, busy crossings) recur in many articles,
most people and events in one, and some protagonists return in follow-up stories.

Every fact is checked against the ontology's domains and ranges as it is written, and what it
adds to the built graph is counted the way kg_builder lays out quads (truthy triple, assertion,
qualifiers, derived date bounds, quotations, mentions, registry), so generation stops at the
target (the count assumes the build reads OUT/corpus: evidence offsets and corpus files are
quads too). Same seed and size give byte-identical files.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import json
import os
import shutil
import sys
import time
import unicodedata
from pathlib import Path
from random import Random

from kg_builder import curation
from kg_builder.ontology import KG, Ontology, load_ontology

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"

# -- what the builder makes of the input (kg_builder/build.py) ------------------------------
ASSERTION_QUADS = 10  # truthy triple; type, subject, predicate, object, source, method;
#                       confidence; evidence; evidence offset
REFERENCE_QUADS = 8  # a reference-source fact: no evidence, no offset
QUOTE_QUADS = 5  # the kg:Quotation: type, label, text, speaker, quotedIn
GRAPH_QUADS = 4  # description of a named graph: type, label, derivedFrom, method
DERIVED_BOUNDS = {"date": 2, "startDate": 1, "endDate": 1}  # earliest/latestDate assertions
DATE_FAMILY = {
    "date": "point",
    "startDate": "range",
    "endDate": "range",
    "earliestDate": "bounds",
    "latestDate": "bounds",
}

ARTICLES_PER_SHARD = 250
YAML_EVERY = 16  # one article in YAML_EVERY gets its own facts/<source>.yaml
QUADS_PER_ARTICLE_GUESS = 560  # only sizes the entity pools; the stop rule counts exactly

# The CSV layouts are the loader's own (one source of truth).
FACT_COLUMNS = curation.FACT_COLUMNS
ENTITY_COLUMNS = curation.ENTITY_CSV_COLUMNS

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
INVASION = dt.date(2022, 2, 24)
MOBILISATION = dt.date(2022, 9, 21)
FIRST_PUB = dt.date(2022, 3, 1)
LAST_PUB = dt.date(2025, 6, 30)

# -- the world ---------------------------------------------------------------------------------
# Tables are text, one row a line, cells separated by "|" and lists inside a cell by ";".


def _rows(table: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("|")] for line in table.strip().splitlines()]


def _items(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in cell.split(";") if x.strip())


def _weights(text: str) -> tuple[tuple[str, int], ...]:
    pairs = (item.rsplit(" ", 1) for item in _items(text))
    return tuple((key, int(weight)) for key, weight in pairs)


# Countries: slug | label | adjective | aliases | wikidata | name culture | flags | cities |
# crossings (name@slug of the place it lies in:kind). Flags: n land border with Russia,
# p Russians may enter with their internal passport, v visa-free for Russians, e EU member.
COUNTRY_TABLE = """
russia | Russia | Russian | Russian Federation | Q159 | ru | | |
ukraine | Ukraine | Ukrainian | | Q212 | generic | n | Kyiv; Kharkiv |
finland | Finland | Finnish | | Q33 | fi | ne | Helsinki; Lappeenranta; Kotka; Virolahti; Imatra; Joensuu | Vaalimaa@virolahti:road; Nuijamaa@lappeenranta:road; Niirala@finland:road; Salla border crossing@finland:road; Vartius@finland:road; Helsinki Airport@helsinki:airport
estonia | Estonia | Estonian | | Q191 | baltic | ne | Tallinn; Narva; Tartu | Narva border crossing@narva:road; Koidula@estonia:road; Luhamaa@estonia:road
latvia | Latvia | Latvian | | Q211 | baltic | ne | Riga; Daugavpils; Rezekne | Terehova@latvia:road; Grebneva@latvia:road
lithuania | Lithuania | Lithuanian | | Q37 | baltic | ne | Vilnius; Kaunas | Kybartai@lithuania:rail; Panemunė@lithuania:road
poland | Poland | Polish | | Q36 | generic | ne | Warsaw; Gdansk | Grzechotki@poland:road; Bezledy@poland:road
norway | Norway | Norwegian | | Q20 | generic | n | Oslo; Kirkenes | Storskog@kirkenes:road
belarus | Belarus | Belarusian | | Q184 | generic | npv | Minsk; Vitebsk; Gomel | Minsk National Airport@minsk:airport
georgia | Georgia | Georgian | | Q230 | ka | nv | Tbilisi; Batumi; Stepantsminda | Upper Lars@north-ossetia:road; Tbilisi International Airport@tbilisi:airport
azerbaijan | Azerbaijan | Azerbaijani | | Q227 | generic | nv | Baku | Yarag-Kazmalyar@dagestan:road; Heydar Aliyev International Airport@baku:airport
kazakhstan | Kazakhstan | Kazakh | | Q232 | kk | npv | Astana; Almaty; Oral; Petropavl | Mashtakovo@orenburg-oblast:road; Troitsk border crossing@chelyabinsk-oblast:road; Almaty International Airport@almaty:airport
mongolia | Mongolia | Mongolian | | Q711 | generic | nv | Ulaanbaatar | Kyakhta border crossing@buryatia:road
china | China | Chinese | | Q148 | generic | n | Beijing | Zabaykalsk border crossing@zabaykalsky-krai:road
armenia | Armenia | Armenian | | Q399 | generic | pv | Yerevan; Gyumri | Zvartnots International Airport@yerevan:airport
turkey | Turkey | Turkish | Türkiye | Q43 | generic | v | Istanbul; Ankara; Antalya | Istanbul Airport@istanbul:airport
serbia | Serbia | Serbian | | Q403 | generic | v | Belgrade; Novi Sad | Belgrade Nikola Tesla Airport@belgrade:airport
israel | Israel | Israeli | | Q801 | generic | v | Tel Aviv; Haifa | Ben Gurion Airport@tel-aviv:airport
kyrgyzstan | Kyrgyzstan | Kyrgyz | | Q813 | generic | pv | Bishkek; Osh | Manas International Airport@bishkek:airport
uzbekistan | Uzbekistan | Uzbek | | Q265 | generic | v | Tashkent; Samarkand | Tashkent International Airport@tashkent:airport
tajikistan | Tajikistan | Tajik | | Q863 | generic | v | Dushanbe |
montenegro | Montenegro | Montenegrin | | Q236 | generic | v | Podgorica; Budva |
united-arab-emirates | United Arab Emirates | Emirati | UAE | Q878 | generic | v | Dubai; Abu Dhabi | Dubai International Airport@dubai:airport
thailand | Thailand | Thai | | Q869 | generic | v | Bangkok; Phuket |
argentina | Argentina | Argentine | | Q414 | generic | v | Buenos Aires |
germany | Germany | German | | Q183 | de | e | Berlin; Munich; Hamburg |
france | France | French | | Q142 | fr | e | Paris; Lyon; Marseille; Strasbourg |
spain | Spain | Spanish | | Q29 | generic | e | Madrid; Barcelona |
netherlands | Netherlands | Dutch | | Q55 | generic | e | Amsterdam; Rotterdam |
czech-republic | Czech Republic | Czech | Czechia | Q213 | generic | e | Prague; Brno |
portugal | Portugal | Portuguese | | Q45 | generic | e | Lisbon; Porto |
sweden | Sweden | Swedish | | Q34 | generic | e | Stockholm; Gothenburg |
united-kingdom | United Kingdom | British | UK | Q145 | generic | | London; Manchester |
united-states | United States | American | USA; US | Q30 | generic | | New York; Washington |
soviet-union | Soviet Union | Soviet | USSR | Q15180 | ru | | |
"""
COUNTRIES: dict[str, tuple] = {
    slug: (
        label,
        adjective,
        _items(aliases),
        qid or None,
        culture,
        flags,
        _items(cities),
        tuple(
            (c.split("@")[0], c.split("@")[1].split(":")[0], c.split(":")[-1])
            for c in _items(crossings)
        ),
    )
    for slug, label, adjective, aliases, qid, culture, flags, cities, crossings in _rows(
        COUNTRY_TABLE
    )
}
# Regions outside Russia: slug | label | country | cities.
FOREIGN_REGIONS = _rows("""
crimea | Crimea | ukraine | Sevastopol; Simferopol
occupied-territories-of-ukraine | Russian-occupied regions of Ukraine | ukraine | Mariupol; Melitopol
""")
MACRO_REGIONS = dict(
    _rows("""
central-russia | Central Russia
northwestern-russia | Northwestern Russia
volga-region | Volga region
southern-russia | Southern Russia
north-caucasus | North Caucasus
urals | Urals
siberia | Siberia
russian-far-east | Russian Far East
""")
)
# Regions of Russia: slug | label | macro-region | cities (the first is the biggest) | aliases.
RUSSIAN_REGIONS = _rows("""
moscow-oblast | Moscow Oblast | central-russia | Moscow; Podolsk; Khimki |
leningrad-oblast | Leningrad Oblast | northwestern-russia | Saint Petersburg; Vyborg; Gatchina |
tatarstan | Republic of Tatarstan | volga-region | Kazan; Naberezhnye Chelny |
sverdlovsk-oblast | Sverdlovsk Oblast | urals | Yekaterinburg; Nizhny Tagil |
novosibirsk-oblast | Novosibirsk Oblast | siberia | Novosibirsk; Berdsk |
samara-oblast | Samara Oblast | volga-region | Samara; Tolyatti |
bashkortostan | Republic of Bashkortostan | volga-region | Ufa; Sterlitamak |
krasnodar-krai | Krasnodar Krai | southern-russia | Krasnodar; Sochi |
rostov-oblast | Rostov Oblast | southern-russia | Rostov-on-Don; Taganrog |
chelyabinsk-oblast | Chelyabinsk Oblast | urals | Chelyabinsk; Magnitogorsk |
nizhny-novgorod-oblast | Nizhny Novgorod Oblast | volga-region | Nizhny Novgorod; Dzerzhinsk |
perm-krai | Perm Krai | volga-region | Perm; Berezniki |
dagestan | Republic of Dagestan | north-caucasus | Makhachkala; Derbent |
buryatia | Republic of Buryatia | siberia | Ulan-Ude; Kyakhta |
yakutia | Sakha Republic | russian-far-east | Yakutsk; Mirny | Yakutia
voronezh-oblast | Voronezh Oblast | central-russia | Voronezh; Rossosh |
volgograd-oblast | Volgograd Oblast | southern-russia | Volgograd; Volzhsky |
saratov-oblast | Saratov Oblast | volga-region | Saratov; Engels |
orenburg-oblast | Orenburg Oblast | volga-region | Orenburg; Orsk |
omsk-oblast | Omsk Oblast | siberia | Omsk; Tara |
krasnoyarsk-krai | Krasnoyarsk Krai | siberia | Krasnoyarsk; Norilsk |
irkutsk-oblast | Irkutsk Oblast | siberia | Irkutsk; Bratsk |
tyumen-oblast | Tyumen Oblast | urals | Tyumen; Tobolsk |
kemerovo-oblast | Kemerovo Oblast | siberia | Kemerovo; Novokuznetsk |
altai-krai | Altai Krai | siberia | Barnaul; Biysk |
primorsky-krai | Primorsky Krai | russian-far-east | Vladivostok; Nakhodka |
khabarovsk-krai | Khabarovsk Krai | russian-far-east | Khabarovsk; Amursk |
zabaykalsky-krai | Zabaykalsky Krai | russian-far-east | Chita; Zabaykalsk |
north-ossetia | North Ossetia–Alania | north-caucasus | Vladikavkaz; Mozdok | North Ossetia
chechnya | Chechen Republic | north-caucasus | Grozny; Gudermes |
karelia | Republic of Karelia | northwestern-russia | Petrozavodsk; Kostomuksha |
murmansk-oblast | Murmansk Oblast | northwestern-russia | Murmansk; Apatity |
pskov-oblast | Pskov Oblast | northwestern-russia | Pskov; Pechory |
kaliningrad-oblast | Kaliningrad Oblast | northwestern-russia | Kaliningrad; Sovetsk |
tuva | Tuva Republic | siberia | Kyzyl; Ak-Dovurak |
belgorod-oblast | Belgorod Oblast | central-russia | Belgorod; Stary Oskol |
""")
TOWN_PREFIXES = _items("Novo; Staro; Krasno; Belo; Cherno; Verkhne; Nizhne; Sosno; Zare")
TOWN_ROOTS = _items(
    "bor; dol; gor; les; rech; mir; yar; kam; zavod; pol; sel; vod; ozer; lug; grad; klyuch; "
    "stan; kurgan; ruch; dvor"
)
TOWN_SUFFIXES = _items("sk; ovo; insk; evka; ino; ovsk; ye; ets")
BORDER_KM = dict(
    _weights(
        "finland 1340; estonia 294; latvia 214; lithuania 261; poland 210; norway 196; "
        "belarus 1239; ukraine 1974; georgia 894; azerbaijan 338; kazakhstan 7598; mongolia 3485; "
        "china 4209"
    )
)
# Where people fled, by weight, after and before the mobilisation; who closed borders; who
# admitted deserters.
DESTINATIONS_AFTER = _weights(
    "kazakhstan 30; georgia 26; finland 12; turkey 10; armenia 9; serbia 5; mongolia 4; "
    "kyrgyzstan 4; uzbekistan 3; israel 3; united-arab-emirates 3; montenegro 2; azerbaijan 2; "
    "estonia 2; germany 2; belarus 2; france 1; argentina 1; thailand 1; tajikistan 1"
)
DESTINATIONS_BEFORE = _weights(
    "georgia 22; armenia 20; turkey 20; israel 10; finland 8; serbia 6; uzbekistan 5; "
    "kazakhstan 5; estonia 4; latvia 3; germany 3; montenegro 2; united-arab-emirates 2"
)
POLICY_COUNTRIES = _weights(
    "finland 30; estonia 14; latvia 12; lithuania 12; poland 10; norway 5; georgia 5; "
    "kazakhstan 6; mongolia 2; czech-republic 3; germany 3"
)
ASYLUM_COUNTRIES = _weights(
    "france 25; germany 25; netherlands 8; spain 6; portugal 5; czech-republic 5; sweden 4; "
    "united-kingdom 4; united-states 4; israel 3; serbia 3"
)

# Organisations: slug | type | label | aliases | wikidata | description.
ORG_TABLE = """
afp | MediaOrganisation | Agence France-Presse | AFP | Q40464 | French international news agency.
associated-press | MediaOrganisation | Associated Press | AP | Q40469 | United States news agency.
reuters | MediaOrganisation | Reuters | | | International news agency headquartered in London.
deutsche-welle | MediaOrganisation | Deutsche Welle | DW | | German international broadcaster.
meduza | MediaOrganisation | Meduza | | | Independent Russian-language news site based in Riga.
the-moscow-times | MediaOrganisation | The Moscow Times | | | Independent English-language news site.
bbc-news | MediaOrganisation | BBC News | BBC | | The British public broadcaster's news service.
radio-free-europe | MediaOrganisation | Radio Free Europe/Radio Liberty | RFE/RL | | US-funded broadcaster.
novaya-gazeta-europe | MediaOrganisation | Novaya Gazeta Europe | | | Russian newspaper in exile.
yle | MediaOrganisation | Yle | | | Finnish public broadcaster.
mtv-uutiset | MediaOrganisation | MTV Uutiset | MTV | | Finnish commercial television news.
err-news | MediaOrganisation | ERR News | ERR | | Estonian public broadcaster's news service.
le-monde | MediaOrganisation | Le Monde | | | French daily newspaper.
the-guardian | MediaOrganisation | The Guardian | | | British daily newspaper.
mediazona | MediaOrganisation | Mediazona | | | Independent Russian outlet covering courts and prisons.
tv-rain | MediaOrganisation | TV Rain | Dozhd | | Independent Russian television channel in exile.
yandex-maps | Company | Yandex Maps | | | Russian online mapping service.
aviasales | Company | Aviasales | | | Russian flight-search service.
flightradar24 | Company | Flightradar24 | | | Flight-tracking service.
european-union | IntergovernmentalOrganisation | European Union | EU | Q458 | Political and economic union of European states.
unhcr | IntergovernmentalOrganisation | UN Refugee Agency | UNHCR | | United Nations agency for refugees.
kremlin | GovernmentBody | Kremlin | | | Seat and administration of the Russian president.
fsb | GovernmentBody | Federal Security Service | FSB | | Russia's security service.
russian-defence-ministry | GovernmentBody | Russian Defence Ministry | Defence Ministry | | Russia's ministry of defence.
russian-armed-forces | ArmedForces | Russian Armed Forces | Russian army | | The military of Russia.
russian-ground-forces | ArmedForces | Russian Ground Forces | | | The land forces of Russia.
"""
ORGS = {row[0]: row for row in _rows(ORG_TABLE)}
MEDIA = [slug for slug, row in ORGS.items() if row[1] == "MediaOrganisation"]
NGO_ADJECTIVES = _items(
    "Free; Open; Northern; Safe; Baltic; Caucasus; Steppe; New; Civic; Quiet; Second; Common; "
    "Clear; Silver; Distant; Bright"
)
NGO_NOUNS = _items(
    "Passage; Bridge; Harbour; Road; Shelter; Compass; Lantern; Gate; Horizon; Path; Anchor; "
    "Haven; Crossing; Way; Door; Shore; Ark"
)
NGO_FORMS = (
    ("", "NGO"),
    (" Foundation", "NGO"),
    (" Association", "NGO"),
    (" Network", "InformalNetwork"),
    (" Initiative", "InformalNetwork"),
)
NGO_ACTIVITIES = _items(
    "helps deserters leave Russia; provides legal aid to conscientious objectors; "
    "helps Russians who fled the mobilisation find housing; monitors arrests at anti-war protests; "
    "helps draft evaders obtain humanitarian visas; advises men who receive call-up papers; "
    "helps Russian soldiers who refuse to fight; raises money for Russians stranded at the border"
)
NGO_BASES = _items("georgia; kazakhstan; france; germany; latvia; lithuania; armenia; serbia")
UNIT_KINDS = _items(
    "Motor Rifle Brigade; Guards Tank Regiment; Airborne Assault Regiment; Artillery Brigade; "
    "Naval Infantry Brigade; Engineer Battalion; Signal Brigade; Reconnaissance Battalion"
)

# People.
RU_MALE = (
    "Alexander Alexei Anatoly Andrei Anton Arkady Artyom Boris Daniil Denis Dmitry Eduard Fyodor "
    "Gennady Georgy Grigory Igor Ilya Ivan Kirill Konstantin Leonid Maxim Mikhail Nikita Nikolai "
    "Oleg Pavel Pyotr Roman Ruslan Semyon Sergei Stanislav Stepan Timur Vadim Valentin Valery "
    "Vasily Viktor Vitaly Vladimir Vladislav Vyacheslav Yaroslav Yegor Yevgeny Yuri Zakhar"
).split()
RU_FEMALE = (
    "Alina Anastasia Anna Daria Ekaterina Elena Irina Ksenia Larisa Lyudmila Marina Maria "
    "Natalia Nadezhda Olga Polina Svetlana Tatiana Valentina Vera Victoria Yulia Zoya Galina Oksana"
).split()
RU_SPELLINGS = dict(
    pair.split(">")
    for pair in (
        "Andrei>Andrey Sergei>Sergey Alexei>Alexey Yevgeny>Evgeny Yuri>Yury Dmitry>Dmitri "
        "Nikolai>Nikolay Maxim>Maksim Artyom>Artem Fyodor>Fedor Pyotr>Petr Natalia>Natalya "
        "Tatiana>Tatyana Ekaterina>Yekaterina Elena>Yelena Daria>Darya Yulia>Julia"
    ).split()
)
RU_SURNAMES = (
    "Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Morozov "
    "Volkov Alekseev Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev Orlov Andreev Makarov "
    "Nikitin Zakharov Zaitsev Soloviev Borisov Yakovlev Grigoriev Romanov Vorobiev Sergeev Kuzmin "
    "Frolov Alexandrov Dmitriev Korolev Gusev Kiselev Ilyin Maksimov Polyakov Sorokin Vinogradov "
    "Kovalev Belov Medvedev Antonov Tarasov Zhukov Baranov Filippov Komarov Davydov Belyaev "
    "Gerasimov Bogdanov Osipov Sidorov Matveev Titov Markov Mironov Krylov Kulikov Karpov Vlasov "
    "Melnikov Denisov Gavrilov Tikhonov Kazakov Afanasiev Danilov Savelyev Timofeev Fomin Chernov"
).split()
SURNAME_ROOTS = (
    "Bel Cher Dub Gor Kam Lis Mal Nov Ozer Pes Rud Sel Tol Ust Vol Yar Zel Bor Krasn Lug Mor Sav "
    "Sten Tur Zhar Glad Khol Lip Mish Ryab"
).split()
SURNAME_MIDDLES = ("", "ar", "en", "ich", "il", "ov", "ush", "yak", "ad", "on", "ost", "ug")
SURNAME_ENDS = ("ov", "ev", "in", "sky", "enko", "ikh", "yuk", "tsev")
# Officials and lawyers abroad: culture | first names | surnames.
FOREIGN_NAMES = {
    culture: (_items(firsts), _items(lasts))
    for culture, firsts, lasts in _rows("""
fi | Laura; Mikko; Anna; Jussi; Sanna; Antti; Heidi; Petteri | Virtanen; Korhonen; Mäkinen; Nieminen; Hämäläinen; Laine; Koskinen
baltic | Kadri; Mart; Andris; Inga; Rasa; Tomas; Liis; Janis | Tamm; Saar; Bērziņš; Kalniņš; Kazlauskas; Petrauskas; Ozols
de | Anna; Jonas; Katrin; Lukas; Petra; Felix; Sabine; Tobias | Müller; Schmidt; Weber; Fischer; Becker; Hoffmann; Wagner
fr | Claire; Julien; Sophie; Nicolas; Camille; Antoine; Elodie; Hugo | Martin; Bernard; Dubois; Lefèvre; Moreau; Laurent; Girard
ka | Nino; Giorgi; Tamar; Levan; Ana; Davit | Beridze; Kapanadze; Gelashvili; Maisuradze; Lomidze
kk | Aigerim; Nurlan; Dana; Yerlan; Aliya; Marat | Abenov; Seitkali; Zhaksybekov; Omarov; Kassymov
generic | Maria; Daniel; Elena; Marco; Sara; David; Ivana; Lars | Novak; Rossi; Horvat; Kowalski; Jensen; Costa; Petrovic; Larsen
""")
}
OCCUPATIONS = _items(
    "construction worker; IT engineer; programmer; teacher; truck driver; welder; electrician; "
    "doctor; paramedic; university student; designer; marketing manager; bank clerk; farmer; "
    "miner; oil-field worker; musician; journalist; lawyer; mechanic; cook; taxi driver; "
    "accountant; architect; photographer; translator; entrepreneur; warehouse worker"
)
RANKS = _items(
    "private; corporal; sergeant; junior sergeant; lieutenant; senior lieutenant; captain; "
    "liaison officer; contract soldier; reservist; tank driver; combat medic"
)
FAMILY_LEFT = _items(
    "wife and two children; wife and young son; elderly parents; mother; wife and daughter; "
    "girlfriend; wife and three children"
)

# What people say, and what articles say around the facts.
QUOTES_FLIGHT = (
    "I did not want to go and kill people I have nothing against",
    "We packed one suitcase and left the same night",
    "Nobody knows who will be called up next",
    "I am not a coward, I just do not want to take part in this war",
    "My friends received their call-up papers the day after the announcement",
    "The queue at the border did not move for hours",
    "I left everything behind in {city}",
    "It felt like the whole country was trying to leave",
    "We are like a prison in Russia",
    "I will not go back while this regime is in power",
    "I do not know when I will see my parents again",
    "In {country} people were kind to us",
    "Everyone I know is trying to leave",
    "I spent all my savings on the ticket",
    "I could not sleep for three nights before I left",
    "At the border they asked only whether I had received a summons",
)
QUOTES_SOLDIER = (
    "I was in shock, I did not understand what was happening",
    "The commanders told us it would be over in ten days",
    "I did not want to be involved in this war",
    "They sent us forward without food or maps",
    "I understood that I would either kill or be killed",
    "Perhaps my example will inspire someone else to leave the army",
    "The weaker the army at the front, the sooner the war will end",
    "I walked out of the unit at night and never came back",
)
QUOTES_OFFICIAL = (
    "We will significantly restrict the entry of Russian citizens",
    "The situation at the border is under control",
    "Our decision is a matter of national security",
    "Those who refuse to fight in this war deserve our protection",
    "We cannot become a transit route for people fleeing their duties",
    "Each application will be examined individually",
    "The number of arrivals has risen sharply since the mobilisation",
)
QUOTES_NGO = (
    "Every week we receive hundreds of requests for help",
    "Most of the men who contact us have already received a summons",
    "Deserters face years in prison if they are caught",
    "We help them find a safe route out of the country",
    "The authorities are trying to close every exit",
    "Many of them have nowhere to go and no money",
)
FILLERS = (
    "The Kremlin did not immediately respond to a request for comment.",
    "Ticket prices for one-way flights out of Moscow soared within hours.",
    "Many of those leaving were young men travelling alone.",
    "The account could not be independently verified.",
    "Some of those interviewed asked that only their first names be used.",
    "Human rights groups say the real figures are likely to be higher.",
    "The road to the border was lined with cars for kilometres.",
    "Officials in Moscow have denied that the borders will be closed.",
    "Rumours of a second wave of call-ups spread quickly on social media.",
    "Queues formed outside consulates and visa centres across the region.",
    "Several people described being questioned at length by border officers.",
    "Local authorities set up tents and food stalls near the crossing.",
    "The war has killed tens of thousands of people on both sides.",
    "Independent media have been blocked in Russia since the start of the war.",
    "Messaging groups offering advice on routes out of the country grew quickly.",
    "Western governments remain divided over how to treat Russians fleeing the draft.",
    "Temperatures at night had already dropped below freezing.",
    "Rental prices in the capital have since risen sharply.",
    "Volunteers handed out water and sandwiches to people waiting in line.",
    "Some drivers said they had paid strangers to hold their place in the queue.",
    "Bank cards issued in Russia no longer work in most of Europe.",
    "Opening a bank account abroad remains one of the hardest steps for new arrivals.",
    "Lawyers say the rules for asylum differ widely from one country to the next.",
    "Recruitment posters have appeared on buses and in metro stations across Russia.",
    "Regional officials were given quotas of men to send to the army.",
    "Several universities said students would be exempt, but many did not believe it.",
    "Flights to the few destinations still open were sold out for weeks.",
    "Some families sold their cars to pay for the journey.",
    "The authorities have threatened to seize the property of those who left.",
    "Many of the new arrivals work remotely for companies in Russia.",
    "Landlords in several cities have begun refusing tenants with Russian passports.",
    "Others crossed on bicycles after cars were no longer allowed through.",
)
# Colour with names in it, but no facts: {city} a Russian city, {dest_city} one abroad.
COLOUR = (
    "Cafés in {dest_city} filled with newly arrived Russians looking for flats and work.",
    "In {city}, posters calling men to sign contracts with the army went up within days.",
    "Friends from {city} sent each other screenshots of queues and ticket prices.",
    "Taxi drivers in {dest_city} said they had never seen so many Russian passengers.",
    "The trip from {city} to the border can take several days by car.",
    "Prices for flats in {dest_city} have doubled since the autumn.",
)
TEASERS = (
    "Markets slide as energy prices climb again",
    "Ten things to do this weekend",
    "Heatwave sets new records across southern Europe",
    "Football: late goal settles the derby",
    "New rail link to open next spring",
    "Central bank holds interest rates steady",
)
DESTINATION_CITIES = tuple(c for slug, _ in DESTINATIONS_AFTER for c in COUNTRIES[slug][6])
DATELINES = _items("istanbul; tbilisi; helsinki; almaty; yerevan; riga; berlin; paris; belgrade")


# -- helpers -----------------------------------------------------------------------------------
def slugify(text: str) -> str:
    """'Nizhny Novgorod' -> 'nizhny-novgorod'; accents dropped."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    out, dash = [], False
    for ch in text:
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-") or "x"


def name_key(name: str) -> str:
    """Case, accents and spacing folded, as kg_builder's identity index compares names."""
    text = unicodedata.normalize("NFKD", name)
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


def ascii_name(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    return "".join(c for c in text if not unicodedata.combining(c))


def day_text(d: dt.date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def iso(d: dt.date, precision: str = "day") -> str:
    if precision == "day":
        return d.isoformat()
    if precision == "month":
        return f"{d.year:04d}-{d.month:02d}"
    return f"{d.year:04d}"


def month_end(d: dt.date) -> dt.date:
    nxt = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def yaml_str(text: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


class Zipf:
    """Draws 0..n-1 with weight 1/(i+1)^s: a few hubs and a long tail."""

    def __init__(self, n: int, s: float = 1.0):
        self.cum: list[float] = []
        acc = 0.0
        for i in range(max(1, n)):
            acc += 1.0 / (i + 1) ** s
            self.cum.append(acc)

    def draw(self, rng: Random) -> int:
        return min(bisect.bisect_left(self.cum, rng.random() * self.cum[-1]), len(self.cum) - 1)


class Weighted:
    """Draws keys of (key, weight) pairs."""

    def __init__(self, pairs: tuple[tuple[str, int], ...]):
        self.keys = [k for k, _ in pairs]
        self.cum: list[int] = []
        acc = 0
        for _, w in pairs:
            acc += w
            self.cum.append(acc)

    def draw(self, rng: Random) -> str:
        return self.keys[bisect.bisect_right(self.cum, rng.randrange(self.cum[-1]))]


class Ent:
    """One entity of the registry, created when an article first needs it."""

    __slots__ = (
        "id",
        "type",
        "label",
        "aliases",
        "description",
        "wikidata",
        "parent",
        "first_source",
        "mentioned",
        "date_unknown",
        "in_yaml",
        "info",
    )

    def __init__(self, eid: str, etype: str, label: str, description: str):
        self.id, self.type, self.label, self.description = eid, etype, label, description
        self.aliases: list[str] = []
        self.wikidata: str | None = None
        self.parent: str | None = None
        self.first_source = ""
        self.mentioned = False
        self.date_unknown = False
        self.in_yaml = False
        self.info: dict = {}


class Schema:
    """The ontology's fact properties, to check each generated fact's domain and range."""

    def __init__(self, onto: Ontology):
        self.onto = onto
        self.props = onto.fact_properties
        self._ok: dict[tuple, bool] = {}

    def check(self, rel: str, stype: str, otype: str | None) -> None:
        key = (rel, stype, otype)
        ok = self._ok.get(key)
        if ok is None:
            prop = self.props.get(rel)
            ok = prop is not None and (
                prop.domain is None or self.onto.is_a(KG[stype], prop.domain)
            )
            if ok and otype is None:
                ok = prop.kind == "datatype" or prop.range == KG.Quotation
            elif ok:
                ok = (
                    prop.kind == "object"
                    and prop.range != KG.Quotation
                    and (prop.range is None or self.onto.is_a(KG[otype], prop.range))
                )
            self._ok[key] = ok
        if not ok:
            raise ValueError(f"generator bug: {rel} does not fit {stype} -> {otype or 'value'}")

    def is_agent(self, etype: str) -> bool:
        return self.onto.is_a(KG[etype], KG.Agent)


class Draft:
    """One article being written: paragraphs of sentences and the facts they support."""

    def __init__(self, gen: Generator, index: int, sid: str, pub: dt.date, publisher: Ent):
        self.gen, self.index, self.sid, self.pub, self.publisher = gen, index, sid, pub, publisher
        self.yaml = index % YAML_EVERY == 0
        self.paras: list[list[str]] = [[]]
        self.facts: list[tuple] = []
        self.keys: set[tuple] = set()
        self.dated: dict[str, str] = {}
        self.mentioned: set[str] = set()
        self.quads = 0

    def say(self, sentence: str) -> str:
        if len(sentence) > 380:
            raise ValueError(f"generator bug: sentence too long: {sentence[:60]}")
        self.paras[-1].append(sentence)
        return sentence

    def para(self) -> None:
        if self.paras[-1]:
            if self.gen.rng.random() < 0.25:
                self.paras[-1].append(self.gen.rng.choice(FILLERS))
            self.paras.append([])

    def fact(
        self,
        ev: str,
        s: Ent,
        rel: str,
        o: Ent | None = None,
        v: object = None,
        *,
        date: str | None = None,
        start: str | None = None,
        end: str | None = None,
        nb: str | None = None,
        na: str | None = None,
        acc: Ent | None = None,
        qual: str | None = None,
        conf: str | None = None,
        note: str | None = None,
    ) -> None:
        """Record one fact (checked against the ontology) and count the quads it will make."""
        gen = self.gen
        gen.schema.check(rel, s.type, o.type if o is not None else None)
        family = DATE_FAMILY.get(rel)  # one date fact of each relation per event and article
        key = (s.id, rel, o.id if o is not None else None if family else str(v))
        if key in self.keys:
            return
        if family is not None:
            if self.dated.setdefault(s.id, family) != family:
                return
            gen.dated_events.add(s.id)
        self.keys.add(key)
        if acc is not None and not gen.schema.is_agent(acc.type):
            raise ValueError(f"generator bug: according_to {acc.id} is not an agent")
        self.facts.append((s, rel, o, v, ev, date, start, end, nb, na, acc, qual, conf, note))
        extra = sum(x is not None for x in (date, start, end, acc, qual, note))
        extra += (date or start or nb) is not None
        extra += (date or end or na) is not None
        per = ASSERTION_QUADS + extra
        self.quads += per * (1 + DERIVED_BOUNDS.get(rel, 0)) + (QUOTE_QUADS if rel == "said" else 0)
        for ent in (s, o, acc):
            if ent is not None and ent.id not in self.mentioned:
                self.mentioned.add(ent.id)
                if not ent.mentioned:
                    ent.mentioned = True
                    gen.orphans -= 1

    def said(self, ev: str, speaker: Ent, words: str, **quals) -> None:
        self.fact(ev, speaker, "said", v=words, **quals)


class Generator:
    """Builds the synthetic world article by article and streams it to disk."""

    def __init__(self, out: Path, triples: int, seed: int, ontology_dir: Path = ONTOLOGY_DIR):
        self.out = Path(out)
        self.target = int(triples)
        self.rng = Random(seed)
        onto = load_ontology(ontology_dir)
        self.schema = Schema(onto)
        self.entities: dict[str, Ent] = {}
        self.names: set[str] = set()
        self.dated_events: set[str] = set()
        self.gazetteer: list[tuple[Ent, str, Ent]] = []
        self.orphans = 0
        self.quads = len(onto.graph) + 3 + GRAPH_QUADS  # ontology; gazetteer source and graph
        self.base_quads = self.quads
        self.articles = 0
        self.facts = 0
        self.protagonists: list[Ent] = []
        self.officials: dict[tuple[str, str], Ent] = {}
        self.keyed: dict[tuple, Ent] = {}
        self.sid = ""
        expected = max(1, self.target // QUADS_PER_ARTICLE_GUESS)
        self._init_pools(expected)

    # -- registry --------------------------------------------------------------------------
    def name_free(self, *names: str) -> bool:
        return all(name_key(n) not in self.names for n in names)

    def add(
        self,
        eid: str,
        etype: str,
        label: str,
        description: str,
        *,
        aliases: tuple[str, ...] | list[str] = (),
        wikidata: str | None = None,
        parent: Ent | None = None,
        in_yaml: bool = False,
    ) -> Ent:
        base, n = eid, 2
        while eid in self.entities:
            eid, n = f"{base}-{n}", n + 1
        ent = Ent(eid, etype, label, description)
        self.names.add(name_key(label))
        for alias in aliases:
            if alias != label and self.name_free(alias):
                ent.aliases.append(alias)
                self.names.add(name_key(alias))
        ent.wikidata = wikidata
        ent.first_source = self.sid
        ent.in_yaml = in_yaml or self.draft.yaml
        self.entities[eid] = ent
        self.quads += 3 + len(ent.aliases) + (wikidata is not None)  # type, label, description
        self.orphans += 1
        if parent is not None:
            self.schema.check("locatedIn", etype, parent.type)
            ent.parent = parent.id
            self.gazetteer.append((ent, "locatedIn", parent))
            self.quads += REFERENCE_QUADS
        return ent

    def unique_label(self, label: str, when: dt.date | None = None) -> str:
        if self.name_free(label):
            return label
        if when is not None and self.name_free(f"{label}, {MONTHS[when.month - 1]} {when.year}"):
            return f"{label}, {MONTHS[when.month - 1]} {when.year}"
        n = 2
        while not self.name_free(f"{label} ({n})"):
            n += 1
        return f"{label} ({n})"

    # -- places ----------------------------------------------------------------------------
    def _init_pools(self, expected: int) -> None:
        self.place_specs: dict[str, tuple] = {}
        for slug, row in COUNTRIES.items():
            label, _adj, aliases, qid = row[:4]
            desc = "Former state (1922-1991)" if slug == "soviet-union" else "Country"
            self.place_specs[slug] = ("Country", label, aliases, qid, None, desc)
            for city in row[6]:
                self.place_specs[slugify(city)] = ("City", city, (), None, slug, f"City in {label}")
            for name, where, kind in row[7]:
                what = "Airport" if kind == "airport" else "Border crossing point"
                self.place_specs[slugify(name)] = (
                    "BorderCrossingPoint",
                    name,
                    (ascii_name(name),),
                    None,
                    where,
                    f"{what} on the way from Russia to {label}",
                )
        for slug, label, country, cities in FOREIGN_REGIONS:
            self.place_specs[slug] = ("Region", label, (), None, country, "Region of Ukraine")
            for city in _items(cities):
                self.place_specs[slugify(city)] = ("City", city, (), None, slug, f"City in {label}")
        for slug, label in MACRO_REGIONS.items():
            self.place_specs[slug] = ("Region", label, (), None, "russia", "Region of Russia")
        self.home_cities: list[str] = []
        for slug, label, macro, cities, aliases in RUSSIAN_REGIONS:
            self.place_specs[slug] = (
                "Region",
                label,
                _items(aliases),
                None,
                macro,
                "Region of Russia",
            )
            for city in _items(cities):
                self.place_specs[slugify(city)] = ("City", city, (), None, slug, f"City in {label}")
        # Home towns: the big cities first (the hubs), then the regional cities, then towns.
        cities = [_items(row[3]) for row in RUSSIAN_REGIONS]
        firsts = [names[0] for names in cities]
        seconds = [c for names in cities for c in names[1:]]
        self.home_cities = [slugify(c) for c in firsts + seconds]
        # Small towns: as many as the corpus can use, at most every name the parts can make.
        names = [a + b + c for a in TOWN_PREFIXES for b in TOWN_ROOTS for c in TOWN_SUFFIXES]
        rng = Random(self.rng.random())
        names = [n for n in names if slugify(n) not in self.place_specs]  # Krasnoyarsk exists
        rng.shuffle(names)
        for name in names[: expected // 4]:
            slug = slugify(name)
            region = RUSSIAN_REGIONS[rng.randrange(len(RUSSIAN_REGIONS))]
            self.place_specs[slug] = ("City", name, (), None, region[0], f"Town in {region[1]}")
            self.home_cities.append(slug)
        self.home_zipf = Zipf(len(self.home_cities), 1.05)
        self.dest_after = Weighted(DESTINATIONS_AFTER)
        self.dest_before = Weighted(DESTINATIONS_BEFORE)
        self.policy_countries = Weighted(POLICY_COUNTRIES)
        self.asylum_countries = Weighted(ASYLUM_COUNTRIES)
        self.media_zipf = Zipf(len(MEDIA), 1.2)
        self.n_ngos = max(8, min(600, expected // 60))
        self.ngo_zipf = Zipf(self.n_ngos, 1.1)
        self.ngos: list[Ent | None] = [None] * self.n_ngos
        self.n_units = max(10, min(900, expected // 25))
        self.unit_zipf = Zipf(self.n_units, 0.9)
        self.units: list[Ent | None] = [None] * self.n_units

    def place(self, slug: str) -> Ent:
        ent = self.entities.get(slug)
        if ent is not None:
            return ent
        etype, label, aliases, qid, parent, desc = self.place_specs[slug]
        up = self.place(parent) if parent else None
        return self.add(slug, etype, label, desc, aliases=aliases, wikidata=qid, parent=up)

    def home_city(self) -> Ent:
        return self.place(self.home_cities[self.home_zipf.draw(self.rng)])

    def city_in(self, country: str) -> Ent:
        cities = COUNTRIES[country][6]
        if not cities:
            return self.place(country)
        i = min(int(len(cities) * self.rng.random() ** 2), len(cities) - 1)
        return self.place(slugify(cities[i]))

    def crossing(self, country: str, kind: str | None = None) -> Ent | None:
        options = [c for c in COUNTRIES[country][7] if kind is None or c[2] == kind]
        if not options:
            return None
        i = min(int(len(options) * self.rng.random() ** 1.5), len(options) - 1)
        return self.place(slugify(options[i][0]))

    def border(self, country: str) -> Ent:
        slug = f"{country}-russia-border"
        ent = self.entities.get(slug)
        if ent is None:
            label = f"{COUNTRIES[country][0]}–Russia border"
            ent = self.add(
                slug, "Border", label, f"Land border between {COUNTRIES[country][0]} and Russia"
            )
            ent.aliases.append(ascii_name(label).replace("–", "-"))
            self.names.add(name_key(ent.aliases[0]))
            self.quads += 1
            for side in (self.place(country), self.place("russia")):
                self.schema.check("borderOf", ent.type, side.type)
                self.gazetteer.append((ent, "borderOf", side))
                self.quads += REFERENCE_QUADS
        return ent

    # -- organisations -----------------------------------------------------------------------
    def org(self, slug: str) -> Ent:
        ent = self.entities.get(slug)
        if ent is None:
            _, etype, label, aliases, qid, desc = ORGS[slug]
            ent = self.add(slug, etype, label, desc, aliases=_items(aliases), wikidata=qid or None)
            ent.in_yaml = True
        return ent

    def media(self) -> Ent:
        return self.org(MEDIA[self.media_zipf.draw(self.rng)])

    def body(self, country: str, kind: str) -> Ent:
        """A country's ministry or border guard: kind is 'Interior Ministry', 'Border Guard'..."""
        label = f"{COUNTRIES[country][1]} {kind}"
        slug = slugify(label)
        ent = self.entities.get(slug)
        if ent is None:
            ent = self.add(slug, "GovernmentBody", label, f"{kind} of {COUNTRIES[country][0]}.")
            ent.in_yaml = True
        return ent

    def city_body(self, city: Ent, kind: str) -> Ent:
        """A city's police or enlistment office."""
        label = f"{city.label} {kind}"
        ent = self.entities.get(slugify(label))
        if ent is None:
            ent = self.add(slugify(label), "GovernmentBody", label, f"The {kind} of {city.label}.")
            ent.in_yaml = True
        return ent

    def ngo(self) -> Ent:
        """An NGO or volunteer network: a few big ones, many small ones."""
        i = self.ngo_zipf.draw(self.rng)
        ent = self.ngos[i]
        if ent is None:
            rng = self.rng
            while True:
                form, etype = rng.choice(NGO_FORMS)
                label = f"{rng.choice(NGO_ADJECTIVES)} {rng.choice(NGO_NOUNS)}{form}"
                if self.name_free(label):
                    break
            activity = NGO_ACTIVITIES[i % len(NGO_ACTIVITIES)]
            kind = "Volunteer network" if etype == "InformalNetwork" else "Non-profit group"
            ent = self.add(slugify(label), etype, label, f"{kind} that {activity}.")
            ent.in_yaml = True
            ent.info.update(activity=activity, base=rng.choice(NGO_BASES))
            self.ngos[i] = ent
        return ent

    def unit(self) -> Ent:
        i = self.unit_zipf.draw(self.rng)
        ent = self.units[i]
        if ent is None:
            rng = self.rng
            while True:
                label = f"{ordinal(rng.randint(1, 250))} {rng.choice(UNIT_KINDS)}"
                if self.name_free(label):
                    break
            ent = self.add(slugify(label), "ArmedForces", label, "Unit of the Russian army.")
            ent.in_yaml = True
            ent.info["base"] = self.home_cities[rng.randrange(min(len(self.home_cities), 72))]
            self.units[i] = ent
        return ent

    # -- people ------------------------------------------------------------------------------
    def person(
        self,
        culture: str = "ru",
        female: bool = False,
        surname: str | None = None,
        first_only_of: Ent | None = None,
        description: str = "",
        hub: bool = False,
    ) -> Ent:
        rng = self.rng
        for attempt in range(200):
            if culture == "ru":
                first = rng.choice(RU_FEMALE if female else RU_MALE)
                last = surname or self._ru_surname()
                if female and surname is None:
                    last = _feminine(last)
            else:
                firsts, lasts = FOREIGN_NAMES[culture]
                first, last = rng.choice(firsts), rng.choice(lasts)
            if first_only_of is not None and attempt < 20:
                label = f"{first} of {first_only_of.label}"
                short = first
            else:
                label = (
                    f"{first} {last}"
                    if attempt < 100
                    else f"{first} {chr(65 + attempt % 26)}. {last}"
                )
                short = last if rng.random() < 0.7 else first
            aliases = []
            if first in RU_SPELLINGS and label.startswith(first):
                aliases.append(RU_SPELLINGS[first] + label[len(first) :])
            if ascii_name(label) != label:
                aliases.append(ascii_name(label))
            if self.name_free(label):
                break
        else:
            label = self.unique_label(label)
        ent = self.add(slugify(label), "Person", label, description, aliases=aliases, in_yaml=hub)
        ent.info.update(first=first, last=last, short=short, female=female)
        return ent

    def _ru_surname(self) -> str:
        rng = self.rng
        if rng.random() < 0.55:
            return rng.choice(RU_SURNAMES)
        return rng.choice(SURNAME_ROOTS) + rng.choice(SURNAME_MIDDLES) + rng.choice(SURNAME_ENDS)

    def official(self, country: str, office: str, body: Ent | None) -> Ent:
        key = (country, office)
        ent = self.officials.get(key)
        if ent is None:
            culture = COUNTRIES[country][4]
            female = self.rng.random() < 0.45
            desc = f"{office} of {COUNTRIES[country][0]}"
            if body is not None and office.endswith("spokesperson"):
                desc = f"Spokesperson of the {body.label}"
            ent = self.person(culture, female, description=desc + ".", hub=True)
            ent.info["office"] = office
            self.officials[key] = ent
        return ent

    def putin(self) -> Ent:
        ent = self.entities.get("vladimir-putin")
        if ent is None:
            ent = self.add(
                "vladimir-putin",
                "Person",
                "Vladimir Putin",
                "President of Russia.",
                aliases=("Putin",),
                wikidata="Q7747",
                in_yaml=True,
            )
            ent.info.update(first="Vladimir", last="Putin", short="Putin", female=False)
        return ent

    # -- events ------------------------------------------------------------------------------
    def event(self, etype: str, label: str, description: str, when: dt.date | None = None) -> Ent:
        label = self.unique_label(label, when)
        return self.add(slugify(label), etype, label, description)

    def hub_event(self, slug: str) -> Ent:
        ent = self.entities.get(slug)
        if ent is None:
            etype, label, aliases, desc = HUB_EVENTS[slug]
            ent = self.add(slug, etype, label, desc, aliases=aliases, in_yaml=True)
        return ent

    def keyed_event(self, key: tuple, etype: str, label: str, description: str, when: dt.date):
        ent = self.keyed.get(key)
        if ent is None:
            ent = self.keyed[key] = self.event(etype, label, description, when)
        return ent

    # -- dates -------------------------------------------------------------------------------
    def precision(self, day: float = 0.6, month: float = 0.3) -> str:
        r = self.rng.random()
        return "day" if r < day else "month" if r < day + month else "year"

    def when(self, d: dt.date, precision: str, pub: dt.date) -> tuple[str, str | None]:
        """How the article words a date, and the curator's note when it is relative."""
        if precision == "day":
            delta = (pub - d).days
            if 0 < delta < 7 and self.rng.random() < 0.5:
                wd = WEEKDAYS[d.weekday()]
                note = (
                    f'"on {wd}" resolved from the publication date {pub.isoformat()} '
                    f"to {d.isoformat()}."
                )
                return f"on {wd}", note
            return f"on {day_text(d)}", None
        if precision == "month":
            return f"in {MONTHS[d.month - 1]} {d.year}", None
        return f"in {d.year}", None

    def between(self, lo: dt.date, hi: dt.date, skew: float = 1.0) -> dt.date:
        span = max(0, (hi - lo).days)
        return lo + dt.timedelta(days=int(span * self.rng.random() ** skew))

    def pub_date(self) -> dt.date:
        r = self.rng.random()
        if r < 0.35:
            return self.between(MOBILISATION + dt.timedelta(days=1), dt.date(2022, 12, 31), 2.0)
        if r < 0.5:
            return self.between(FIRST_PUB, MOBILISATION)
        return self.between(dt.date(2023, 1, 1), LAST_PUB, 1.3)

    # -- the article loop ---------------------------------------------------------------------
    def run(self) -> dict:
        started = time.perf_counter()
        corpus, data = self.out / "corpus", self.out / "data"
        for folder in (corpus, data / "entities", data / "facts"):
            folder.mkdir(parents=True, exist_ok=True)
        self.draft = Draft(self, 1, "", FIRST_PUB, Ent("x", "Person", "x", ""))
        with (
            open(corpus / "sources.yaml", "w", encoding="utf-8", newline="\n") as corpus_meta,
            open(data / "sources.yaml", "w", encoding="utf-8", newline="\n") as data_meta,
        ):
            corpus_meta.write(CORPUS_HEADER)
            data_meta.write(DATA_SOURCES_HEADER)
            shard = None
            while self.wants_more():
                i = self.articles
                if i % ARTICLES_PER_SHARD == 0:
                    if shard is not None:
                        shard[0].close()
                    fh = open(
                        data / "facts" / f"articles-{i // ARTICLES_PER_SHARD:05d}.csv",
                        "w",
                        encoding="utf-8",
                        newline="",
                    )
                    writer = csv.writer(fh, lineterminator="\n")
                    writer.writerow(FACT_COLUMNS)
                    shard = (fh, writer)
                self.article(i, corpus, data, corpus_meta, data_meta, shard[1])
                self.articles += 1
            if shard is not None:
                shard[0].close()
        self.write_gazetteer(data / "facts" / "gazetteer.yaml")
        self.write_entities(data / "entities")
        undated = [
            e.id
            for e in self.entities.values()
            if e.type in EVENT_TYPES and not e.date_unknown and e.id not in self.dated_events
        ]
        if undated:
            raise ValueError(f"generator bug: undated events {undated[:5]}")
        files, size = 0, 0
        for folder, _dirs, names in os.walk(self.out):
            for name in names:
                files += 1
                size += os.path.getsize(os.path.join(folder, name))
        return {
            "articles": self.articles,
            "entities": len(self.entities),
            "facts": self.facts,
            "files": files,
            "bytes": size,
            "quads_estimate": self.estimate(),
            "seconds": round(time.perf_counter() - started, 2),
        }

    def estimate(self) -> int:
        """Quads of the built graph so far, counted as kg_builder lays them out."""
        return self.quads + self.orphans

    def wants_more(self) -> bool:
        """Another article, unless it would overshoot the target by more than we fall short."""
        if self.articles == 0:
            return True
        per_article = (self.estimate() - self.base_quads) / self.articles
        return self.estimate() + per_article / 2 < self.target

    def article(self, i, corpus: Path, data: Path, corpus_meta, data_meta, writer) -> None:
        """One article: a main story, often a second one, context; its text, metadata, facts."""
        rng = self.rng
        sid = f"{i:06d}_{rng.getrandbits(64):016x}"
        self.sid = sid
        pub = self.pub_date()
        self.draft = d = Draft(self, i, sid, pub, Ent("x", "Person", "x", ""))
        d.publisher = self.media()
        r = rng.random()
        stories = 1 if r < 0.05 else 2 if r < 0.3 else 3 if r < 0.75 else 4
        headline = ""
        for k in range(stories):
            kind = STORY_ORDER[i] if i < len(STORY_ORDER) and k == 0 else None
            if kind is None:
                kind = "followup" if rng.random() < 0.12 else STORY_KINDS.draw(rng)
            if (pub <= MOBILISATION and kind == "protest") or (
                kind == "followup" and not self.protagonists
            ):
                kind = "flight"
            told = getattr(self, f"story_{kind}")(d)
            headline = headline or told
            self.colour(d)
            d.para()
        self.context(d)
        d.para()
        # -- metadata ----------------------------------------------------------------------------
        approx = rng.random() < 0.15
        published = iso(pub, "month") if approx and rng.random() < 0.3 else iso(pub)
        translated = rng.random() < 0.3
        dateline = self.place(rng.choice(DATELINES)) if rng.random() < 0.2 else None
        no_headline = rng.random() < 0.05
        agency = (_items(ORGS[d.publisher.id][3]) or (d.publisher.label,))[0]
        corpus_meta.write(f'- id: "{sid}"\n  file: {sid}.txt\n')
        if no_headline:
            corpus_meta.write(f"  headline: null\n  title: {yaml_str(headline)}\n")
        else:
            corpus_meta.write(f"  headline: {yaml_str(headline)}\n")
        corpus_meta.write(f"  agency: {yaml_str(agency)}\n")
        if dateline is not None:
            corpus_meta.write(f"  dateline: {yaml_str(dateline.label)}\n")
        note = rng.choice(SOURCE_NOTES).format(pub=day_text(pub))
        corpus_meta.write(
            f'  published: "{published}"\n'
            f"  date_precision: {'approximate' if approx else 'day'}\n"
            f"  note: {yaml_str(note)}\n"
            f"  language: {'en (translated)' if translated else 'en'}\n"
        )
        data_meta.write(f'  - id: "{sid}"\n    kind: article\n    publisher: {d.publisher.id}\n')
        if no_headline:
            data_meta.write(f"    headline: null\n    title: {yaml_str(headline)}\n")
        else:
            data_meta.write(f"    headline: {yaml_str(headline)}\n")
        data_meta.write(
            f'    published: "{published}"\n    date_approximate: {"true" if approx else "false"}\n'
        )
        if dateline is not None:
            data_meta.write(f"    dateline: {dateline.id}\n")
        data_meta.write("    language: en\n")
        if translated:
            data_meta.write("    translated: true\n")
        # type, label, corpus id, headline or title, file, publisher, date, approximate, language
        self.quads += 9 + translated + (dateline is not None) + GRAPH_QUADS
        # -- text and facts ----------------------------------------------------------------------
        lead = f"{dateline.label.upper()} ({agency}) \u2014 " if dateline is not None else ""
        self.write_text(corpus / f"{sid}.txt", d, None if no_headline else headline, lead)
        self.quads += d.quads + len(d.mentioned)
        self.facts += len(d.facts)
        if d.yaml:
            self.write_yaml_facts(data / "facts" / f"{sid}.yaml", d, headline)
        else:
            for f in d.facts:
                writer.writerow(_csv_row(sid, f))

    def colour(self, d: Draft) -> None:
        """Sentences that name places but state no fact, as reporting does."""
        rng = self.rng
        for template in rng.sample(COLOUR, rng.randint(2, 3)):
            city = self.place_specs[self.home_cities[self.home_zipf.draw(rng)]][1]
            dest = rng.choice(DESTINATION_CITIES)
            d.paras[-1].append(template.format(city=city, dest_city=dest))
        d.paras[-1].extend(rng.sample(FILLERS, rng.randint(2, 4)))

    # -- stories -------------------------------------------------------------------------------
    def story_flight(self, d: Draft) -> str:
        rng, pub = self.rng, d.pub
        after_mob = pub > MOBILISATION + dt.timedelta(days=1)
        russia = self.place("russia")
        home = self.home_city()
        female = rng.random() < 0.12
        first_only = rng.random() < 0.25
        p = self.person(female=female, first_only_of=home if first_only else None)
        he, his = ("she", "her") if female else ("he", "his")
        age = rng.randint(19, 58)
        job = rng.choice(OCCUPATIONS)
        p.description = f"{age}-year-old {job} from {home.label} who left Russia."
        dest_slug = (self.dest_after if after_mob else self.dest_before).draw(rng)
        dest = self.place(dest_slug)
        if after_mob:
            cause = self.hub_event("partial-mobilisation-2022")
            left = MOBILISATION + dt.timedelta(days=min(int(rng.expovariate(1 / 12)), 90))
            left = min(left, pub - dt.timedelta(days=1))
        else:
            cause = self.hub_event("russian-invasion-of-ukraine")
            left = self.between(INVASION + dt.timedelta(days=1), pub - dt.timedelta(days=1))
        prec = self.precision()
        when, note = self.when(left, prec, pub)
        name = p.label if not first_only else p.info["first"]
        if first_only and rng.random() < 0.4:
            ev = d.say(
                f"{name}, whose name has been changed for {his} safety, is a {age}-year-old {job} "
                f"from {home.label} who left Russia {when}."
            )
            d.fact(ev, p, "nameIsPseudonym", v=True)
        else:
            ev = d.say(f"{name}, a {age}-year-old {job} from {home.label}, left Russia {when}.")
        d.fact(ev, p, "age", v=age)
        d.fact(ev, p, "occupation", v=job)
        d.fact(ev, p, "comesFrom", home)
        d.fact(ev, p, "fledFrom", russia, date=iso(left, prec), note=note)
        if rng.random() < 0.5:
            ev = d.say(f"{he.capitalize()} is a Russian citizen and had never lived abroad before.")
            d.fact(ev, p, "citizenOf", russia)
        flight = self.event(
            "Flight", f"Flight of {p.label} to {dest.label}", f"{p.label} leaving Russia.", left
        )
        crossing = self.crossing(dest_slug)
        if crossing is not None:
            verb = "flew to" if crossing.label.endswith("Airport") else "crossed into"
            ev = d.say(f"{he.capitalize()} {verb} {dest.label} through {crossing.label}.")
            d.fact(ev, p, "travelledVia", crossing, date=iso(left, prec))
            d.fact(ev, flight, "via", crossing)
        else:
            ev = d.say(f"{he.capitalize()} reached {dest.label} a few days later.")
        d.fact(ev, p, "fledTo", dest, date=iso(left, prec))
        d.fact(ev, flight, "destination", dest)
        d.fact(ev, flight, "origin", russia)
        d.fact(ev, p, "participatedIn", flight)
        if prec != "year" and rng.random() < 0.3:
            lo, hi = left - dt.timedelta(days=3), left + dt.timedelta(days=2)
            ev = d.say(
                f"The journey took place between {day_text(lo)} and {day_text(hi)}, "
                f"{his} documents show."
            )
            d.fact(ev, flight, "earliestDate", v=iso(lo), conf="0.9")
            d.fact(ev, flight, "latestDate", v=iso(hi), conf="0.9")
        else:
            d.fact(ev, flight, "date", v=iso(left, prec), note=note)
        ev = d.say(f"{he.capitalize()} decided to leave after {CAUSE_TEXT[cause.id]}.")
        d.fact(ev, flight, "causedBy", cause)
        d.fact(ev, flight, "after", cause)
        if after_mob and left.year == 2022:
            exodus = self.hub_event("russian-exodus-2022")
            d.fact(ev, flight, "partOf", exodus)
        d.para()
        r = rng.random()
        if r < 0.35:
            fam = rng.choice(FAMILY_LEFT)
            ev = d.say(f"{he.capitalize()} left {his} {fam} behind in {home.label}.")
            d.fact(ev, p, "familyLeftBehind", v=fam)
        elif r < 0.6 and not female:
            w = self.person(female=True, surname=_feminine(p.info["last"]))
            w.description = f"Wife of {p.label}; fled with him."
            kids = rng.choice(("their two children", "their son", "their daughter", "his mother"))
            ev = d.say(f"{he.capitalize()} travelled with {his} wife, {w.label}, and {kids}.")
            d.fact(ev, p, "fledWithFamily", v=f"wife and {kids.split(' ', 1)[1]}")
            d.fact(ev, p, "spouseOf", w)
            d.fact(ev, p, "travelledWith", w)
            d.fact(ev, w, "participatedIn", flight)
            d.fact(ev, w, "fledTo", dest, date=iso(left, prec))
        words = rng.choice(QUOTES_FLIGHT).format(city=home.label, country=dest.label)
        ev = d.say(f"\u201c{words},\u201d {p.info['short']} told {d.publisher.label}.")
        d.said(ev, p, words)
        d.fact(ev, p, "interviewedBy", d.publisher)
        if rng.random() < 0.55:
            city = self.city_in(dest_slug)
            since = self.between(left, pub)
            ev = d.say(
                f"{he.capitalize()} has lived in {city.label} since "
                f"{MONTHS[since.month - 1]} {since.year}."
            )
            d.fact(ev, p, "residesIn", city, start=iso(since, "month"))
        if rng.random() < 0.25:
            onward = self.place(self.asylum_countries.draw(rng))
            if onward is not dest:
                ev = d.say(f"{he.capitalize()} hopes to move on to {onward.label} next year.")
                d.fact(ev, p, "intendsToGoTo", onward)
        d.para()
        if rng.random() < 0.35:
            ngo = self.ngo()
            ev = d.say(
                f"{ngo.label}, a group that {ngo.info['activity']}, helped {p.info['short']} "
                f"find a place to stay."
            )
            d.fact(ev, ngo, "helps", p)
            d.fact(ev, ngo, "activity", v=ngo.info["activity"])
        flags = COUNTRIES[dest_slug][5]
        if "p" in flags and rng.random() < 0.4:
            ev = d.say(f"Russians can enter {dest.label} with only their internal passports.")
            d.fact(ev, dest, "admitsWithInternalPassport", russia)
        elif "v" in flags and rng.random() < 0.4:
            ev = d.say(f"Russians do not need a visa to enter {dest.label}.")
            d.fact(ev, dest, "visaFreeFor", russia)
        if crossing is not None and "n" in flags and rng.random() < 0.45:
            self.crossing_figures(d, dest_slug, crossing, left)
        if after_mob and rng.random() < 0.5:
            self.exodus_figure(d, p, dest)
        if rng.random() < 0.3:
            self.protagonists.append(p)
            p.info.update(dest=dest_slug, left=left, home=home.id)
        return rng.choice(HEADLINES_FLIGHT).format(
            name=p.info["short"], country=dest.label, city=home.label, job=job, words=words
        )

    def crossing_figures(self, d: Draft, country: str, crossing: Ent, around: dt.date) -> None:
        rng = self.rng
        guard = self.body(country, "Border Guard")
        n = int(rng.lognormvariate(7.2, 0.8))
        pct = rng.randint(15, 140)
        qual = rng.choice(("about", "more than", "some", "nearly"))
        day = self.between(around - dt.timedelta(days=3), around + dt.timedelta(days=3))
        day = min(day, d.pub)
        when, note = self.when(day, "day", d.pub)
        ev = d.say(
            f"The {guard.label} said {qual} {n:,} people crossed at {crossing.label} {when}, "
            f"{pct}% more than a week earlier."
        )
        d.fact(ev, crossing, "dailyCrossings", v=n, date=iso(day), acc=guard, qual=qual, note=note)
        d.fact(ev, crossing, "changePercent", v=pct, date=iso(day), acc=guard)
        if rng.random() < 0.3:
            year = rng.choice((2019, 2021, 2022))
            total = int(rng.lognormvariate(13.5, 0.6))
            ev = d.say(f"In {year}, {total:,} crossings were recorded at {crossing.label}.")
            d.fact(ev, crossing, "annualCrossings", v=total, date=str(year))

    def exodus_figure(self, d: Draft, p: Ent | None, dest: Ent | None) -> None:
        rng = self.rng
        exodus = self.hub_event("russian-exodus-2022")
        n = rng.choice((200000, 260000, 300000, 400000, 500000, 700000))
        qual = rng.choice(("at least", "more than", "about", "some"))
        r = rng.random()
        source = self.media() if r < 0.5 else self.ngo() if r < 0.8 else self.org("kremlin")
        if p is not None:
            name = p.info["short"]
            ev = d.say(
                f"{name} was one of {qual} {n:,} Russians who left in the weeks after the "
                f"mobilisation, according to {source.label}."
            )
            d.fact(ev, p, "participatedIn", exodus)
        else:
            ev = d.say(
                f"{qual.capitalize()} {n:,} Russians left in the weeks after the mobilisation, "
                f"according to {source.label}."
            )
        d.fact(ev, exodus, "numberOfPeople", v=n, qual=qual, acc=source)
        if dest is not None:
            ev = d.say(f"{dest.label} was among the main destinations of the exodus.")
            d.fact(ev, exodus, "destination", dest)

    def story_desertion(self, d: Draft) -> str:
        rng, pub = self.rng, d.pub
        russia = self.place("russia")
        home = self.home_city()
        p = self.person(first_only_of=home if rng.random() < 0.4 else None)
        name = p.info["first"] if p.label.endswith(home.label) else p.label
        short = p.info["short"]
        rank = rng.choice(RANKS)
        unit = self.unit()
        base = self.place(unit.info["base"])
        age = rng.randint(20, 45)
        p.description = f"Russian {rank} from {home.label} who deserted."
        lo = max(INVASION - dt.timedelta(days=60), dt.date(2021, 10, 1))
        called = self.between(lo, pub - dt.timedelta(days=40))
        if called > MOBILISATION and rng.random() < 0.6:
            called = MOBILISATION + dt.timedelta(days=rng.randint(1, 20))
        conscription = self.event(
            "Conscription", f"Call-up of {p.label}", f"{p.label} summoned to the army.", called
        )
        ev = d.say(
            f"{name}, a {age}-year-old {rank} from {home.label}, was called up to the "
            f"{unit.label} in {MONTHS[called.month - 1]} {called.year}."
        )
        d.fact(ev, p, "age", v=age)
        d.fact(ev, p, "militaryRank", v=rank)
        d.fact(ev, p, "comesFrom", home)
        d.fact(ev, p, "participatedIn", conscription)
        d.fact(ev, conscription, "date", v=iso(called, "month"))
        d.fact(ev, p, "formerMemberOf", unit, start=iso(called, "month"))
        if called > MOBILISATION:
            d.fact(ev, conscription, "causedBy", self.hub_event("partial-mobilisation-2022"))
        if rng.random() < 0.5:
            ev = d.say(
                f"The {unit.label} is based in {base.label} and belongs to the Russian Ground Forces."
            )
            d.fact(ev, unit, "basedIn", base)
            d.fact(ev, unit, "memberOf", self.org("russian-ground-forces"))
        sent = called + dt.timedelta(days=rng.randint(10, 60))
        sent = min(sent, pub - dt.timedelta(days=20))
        front = self.place(
            rng.choice(("occupied-territories-of-ukraine", "belgorod-oblast", "crimea", "ukraine"))
        )
        deploy = self.event(
            "Deployment", f"Deployment of {p.label} to {front.label}", "Sent to the front.", sent
        )
        when, note = self.when(sent, "month", pub)
        ev = d.say(f"{when[0].upper()}{when[1:]} {short}'s unit was sent to {front.label}.")
        d.fact(ev, p, "participatedIn", deploy)
        d.fact(ev, deploy, "destination", front)
        d.fact(ev, deploy, "origin", base)
        d.fact(ev, deploy, "startDate", v=iso(sent, "month"))
        words = rng.choice(QUOTES_SOLDIER)
        ev = d.say(f"\u201c{words},\u201d {short} recalled.")
        d.said(ev, p, words)
        d.para()
        deserted = self.between(sent + dt.timedelta(days=5), pub - dt.timedelta(days=5))
        desertion = self.event(
            "Desertion", f"Desertion of {p.label}", f"{p.label} leaving the army.", deserted
        )
        hub = self.hub_event("russian-army-desertions")
        if rng.random() < 0.35:
            lo = deserted.replace(day=1)
            hi = month_end(deserted)
            ev = d.say(
                f"{short} walked out in {MONTHS[deserted.month - 1]} {deserted.year}, "
                f"on a day {he_she(p)} says {he_she(p)} no longer remembers."
            )
            d.fact(ev, desertion, "earliestDate", v=iso(lo), note="Only the month is known.")
            d.fact(ev, desertion, "latestDate", v=iso(hi))
        else:
            prec = self.precision(0.5, 0.4)
            when, note = self.when(deserted, prec, pub)
            ev = d.say(f"{short} deserted {when}, during a rotation away from the front.")
            d.fact(ev, desertion, "date", v=iso(deserted, prec), note=note)
        d.fact(ev, p, "participatedIn", desertion)
        d.fact(ev, p, "desertedFrom", unit)
        d.fact(ev, desertion, "partOf", hub)
        d.fact(ev, desertion, "after", deploy)
        if rng.random() < 0.5:
            d.fact(ev, desertion, "place", front)
        dest_slug = rng.choice(("kazakhstan", "armenia", "georgia", "kyrgyzstan", "kazakhstan"))
        dest = self.place(dest_slug)
        left = deserted + dt.timedelta(days=rng.randint(1, 25))
        left = min(left, pub)
        flight = self.event(
            "Flight", f"Flight of {p.label} to {dest.label}", f"{p.label} fleeing Russia.", left
        )
        ev = d.say(
            f"{he_she(p).capitalize()} then fled to {dest.label} {self.when(left, 'month', pub)[0]}."
        )
        d.fact(ev, p, "fledTo", dest, date=iso(left, "month"))
        d.fact(ev, p, "fledFrom", russia, date=iso(left, "month"))
        d.fact(ev, p, "participatedIn", flight)
        d.fact(ev, flight, "date", v=iso(left, "month"))
        d.fact(ev, flight, "origin", russia)
        d.fact(ev, flight, "destination", dest)
        d.fact(ev, flight, "after", desertion)
        d.para()
        ngo = self.ngo()
        ev = d.say(f"{ngo.label}, which {ngo.info['activity']}, helped {short} to leave.")
        d.fact(ev, ngo, "helps", p)
        d.fact(ev, ngo, "activity", v=ngo.info["activity"])
        if rng.random() < 0.5:
            n = rng.choice((5000, 10000, 12000, 20000, 30000, 50000))
            qual = rng.choice(("more than", "at least", "about"))
            ev = d.say(
                f"{qual.capitalize()} {n:,} soldiers have deserted since the start of the war, "
                f"according to {ngo.label}."
            )
            d.fact(ev, hub, "numberOfPeople", v=n, qual=qual, acc=ngo, date=iso(pub, "month"))
        leader = self.ngo_person(ngo, "leads")
        words = rng.choice(QUOTES_NGO)
        ev = d.say(f"\u201c{words},\u201d said {leader.label}, who heads {ngo.label}.")
        d.said(ev, leader, words)
        d.fact(ev, leader, "leads", ngo)
        if rng.random() < 0.5:
            case = self.event(
                "Prosecution", f"Criminal case against {p.label}", "Desertion case.", deserted
            )
            ev = d.say(
                f"A criminal case for desertion has since been opened against {short} in Russia."
            )
            d.fact(ev, p, "participatedIn", case)
            d.fact(ev, case, "causedBy", desertion)
            if d.yaml and rng.random() < 0.5:
                case.date_unknown = True
                self.quads += 1
            else:
                opened = self.between(deserted, pub)
                d.fact(
                    ev,
                    case,
                    "date",
                    v=iso(opened, "year"),
                    conf="0.7",
                    note="The article gives no date; the year is inferred.",
                )
        if rng.random() < 0.45:
            self.admission(d, p, deserted)
        if rng.random() < 0.35:
            self.protagonists.append(p)
            p.info.update(dest=dest_slug, left=left, home=home.id)
        return rng.choice(HEADLINES_DESERTION).format(
            name=short, unit=unit.label, country=dest.label, words=words
        )

    def ngo_person(self, ngo: Ent, role: str) -> Ent:
        ent = ngo.info.get(role)
        if ent is None:
            ent = self.person(female=self.rng.random() < 0.4, hub=True)
            what = "Head" if role == "leads" else "Spokesperson"
            ent.description = f"{what} of {ngo.label}."
            ngo.info[role] = ent
        return ent

    def admission(self, d: Draft, p: Ent | None, after: dt.date) -> None:
        rng, pub = self.rng, d.pub
        country = self.asylum_countries.draw(rng)
        c = self.place(country)
        decided = self.between(max(after, pub - dt.timedelta(days=200)), pub)
        adj = COUNTRIES[country][1]
        key = ("admission", country, decided.year, decided.month)
        label = f"{adj} admission of Russian deserters, {MONTHS[decided.month - 1]} {decided.year}"
        decision = self.keyed_event(key, "AdmissionDecision", label, "Admission decision.", decided)
        n = rng.randint(2, 40)
        when, note = self.when(decided, "month", pub)
        ev = d.say(f"{c.label} agreed {when} to admit {n} Russian deserters.")
        d.fact(ev, decision, "numberOfPeople", v=n)
        d.fact(ev, decision, "place", c)
        d.fact(ev, decision, "date", v=iso(decided, "month"))
        d.fact(ev, c, "announced", decision, date=iso(decided, "month"))
        if p is not None:
            d.fact(ev, p, "participatedIn", decision)
            city = self.city_in(country)
            ev = d.say(f"{p.info['short']} now lives in {city.label}.")
            d.fact(ev, p, "residesIn", city, start=iso(decided, "month"))

    def story_policy(self, d: Draft) -> str:
        rng, pub = self.rng, d.pub
        russia = self.place("russia")
        slug = self.policy_countries.draw(rng)
        c = self.place(slug)
        adj = COUNTRIES[slug][1]
        ministry = self.body(slug, "Interior Ministry")
        minister = self.official(slug, "Interior Minister", ministry)
        announced = self.between(max(INVASION, pub - dt.timedelta(days=20)), pub)
        start = announced + dt.timedelta(days=rng.randint(1, 14))
        key = ("policy", slug, announced.year, announced.month)
        label = (
            f"{adj} entry restriction on Russians, {MONTHS[announced.month - 1]} {announced.year}"
        )
        group = rng.choice(TARGET_GROUPS)
        measure = self.keyed_event(
            key,
            "EntryRestriction",
            label,
            f"{c.label} restricting the entry of {group}.",
            announced,
        )
        when, note = self.when(announced, "day", pub)
        ev = d.say(f"{c.label} announced {when} that it would restrict the entry of {group}.")
        d.fact(ev, c, "announced", measure, date=iso(announced), note=note)
        d.fact(ev, measure, "imposedBy", c)
        d.fact(ev, measure, "appliesToCitizensOf", russia)
        d.fact(ev, measure, "targetGroup", v=group)
        ev = d.say(
            f"The measure takes effect on {day_text(start)}, {adj} Interior Minister "
            f"{minister.label} told reporters."
        )
        d.fact(ev, measure, "startDate", v=iso(start))
        d.fact(ev, minister, "jobTitle", v="Interior Minister")
        d.fact(ev, minister, "officialOf", c)
        d.fact(ev, minister, "memberOf", ministry)
        if rng.random() < 0.3:
            end = start + dt.timedelta(days=rng.choice((90, 180, 365)))
            ev = d.say(f"It is due to remain in force until {day_text(end)}.")
            d.fact(ev, measure, "endDate", v=iso(end), conf="0.8")
        words = rng.choice(QUOTES_OFFICIAL)
        ev = d.say(f"\u201c{words},\u201d {minister.info['short']} said.")
        d.said(ev, minister, words)
        if announced > MOBILISATION:
            mob = self.hub_event("partial-mobilisation-2022")
            ev = d.say(
                "The decision followed a sharp rise in arrivals after Moscow's mobilisation."
            )
            d.fact(ev, measure, "causedBy", mob)
            d.fact(ev, measure, "after", mob)
        d.para()
        if "n" in COUNTRIES[slug][5]:
            border = self.border(slug)
            km = BORDER_KM[slug]
            shown = km if rng.random() < 0.6 else round(km, -2)
            qual = None if shown == km else "about"
            ev = d.say(
                f"The {border.label} is {qual + ' ' if qual else ''}{shown:,} kilometres long."
            )
            d.fact(ev, border, "lengthKm", v=shown, qual=qual)
            d.fact(ev, border, "borderOf", c)
            crossing = self.crossing(slug, "road")
            if crossing is not None:
                self.crossing_figures(d, slug, crossing, announced)
                if rng.random() < 0.4:
                    day = self.between(announced, pub)
                    n = int(rng.lognormvariate(7.5, 0.6))
                    label = f"Crossings at {crossing.label} on {day_text(day)}"
                    ev_ent = self.keyed_event(
                        ("crossings", crossing.id, day),
                        "BorderCrossing",
                        label,
                        "People entering from Russia.",
                        day,
                    )
                    when, note = self.when(day, "day", pub)
                    ev = d.say(f"Some {n:,} people entered through {crossing.label} {when} alone.")
                    d.fact(ev, ev_ent, "numberOfPeople", v=n, qual="some")
                    d.fact(ev, ev_ent, "place", crossing)
                    d.fact(ev, ev_ent, "date", v=iso(day), note=note)
        guard = self.body(slug, "Border Guard")
        spokes = self.official(slug, "border guard spokesperson", guard)
        pct = rng.randint(20, 160)
        ev = d.say(
            f"Arrivals from Russia rose {pct}% in a week, said {spokes.label}, a spokesperson "
            f"for the {guard.label}."
        )
        d.fact(ev, c, "changePercent", v=pct, acc=spokes, date=iso(announced, "month"))
        d.fact(ev, spokes, "spokespersonFor", guard)
        d.fact(ev, spokes, "jobTitle", v="spokesperson")
        if "e" in COUNTRIES[slug][5] and rng.random() < 0.35:
            eu = self.org("european-union")
            visa = self.hub_event("eu-visa-restriction-2022")
            ev = d.say(
                "The European Union agreed on 31 August 2022 to limit Schengen visas for Russians."
            )
            d.fact(ev, eu, "announced", visa, date="2022-08-31")
            d.fact(ev, visa, "imposedBy", eu)
            d.fact(ev, visa, "appliesToCitizensOf", russia)
            d.fact(ev, visa, "date", v="2022-08-31")
        if rng.random() < 0.15:
            belarus = self.place("belarus")
            ev = d.say("Belarus, Russia's close ally, kept its own border open.")
            d.fact(ev, belarus, "alliedWith", russia)
        return rng.choice(HEADLINES_POLICY).format(country=c.label, pct=pct, adj=adj)

    def story_protest(self, d: Draft) -> str:
        rng, pub = self.rng, d.pub
        city = self.home_city()
        day = self.between(MOBILISATION, min(pub, MOBILISATION + dt.timedelta(days=40)), 2.0)
        label = f"Anti-mobilisation protest in {city.label} on {day_text(day)}"
        protest = self.keyed_event(("protest", city.id, day), "Protest", label, "Protest.", day)
        ngo = self.ngo()
        n = rng.choice((150, 300, 500, 800, 1200, 2000, 3000))
        when, note = self.when(day, "day", pub)
        ev = d.say(f"About {n:,} people protested against the mobilisation in {city.label} {when}.")
        d.fact(ev, protest, "numberOfPeople", v=n, qual="about")
        d.fact(ev, protest, "place", city)
        d.fact(ev, protest, "date", v=iso(day), note=note)
        d.fact(ev, protest, "causedBy", self.hub_event("partial-mobilisation-2022"))
        arrests = self.keyed_event(
            ("arrests", protest.id),
            "Arrest",
            f"Arrests at the {label[0].lower()}{label[1:]}",
            "Detentions of protesters.",
            day,
        )
        k = max(5, n // rng.randint(3, 12))
        qual = rng.choice(("more than", "at least", "about"))
        ev = d.say(f"Police detained {qual} {k:,} protesters, according to {ngo.label}.")
        d.fact(ev, arrests, "numberOfPeople", v=k, qual=qual, acc=ngo)
        d.fact(ev, arrests, "partOf", protest)
        d.fact(ev, arrests, "date", v=iso(day))
        police = self.city_body(city, "police")
        p = self.person(female=rng.random() < 0.35)
        age = rng.randint(18, 30)
        job = rng.choice(("university student", "graduate student", "designer", "programmer"))
        p.description = f"Protester from {city.label}."
        ev = d.say(
            f"{p.label}, a {age}-year-old {job}, was among those detained by {police.label}."
        )
        d.fact(ev, p, "age", v=age)
        d.fact(ev, p, "occupation", v=job)
        d.fact(ev, p, "participatedIn", protest)
        d.fact(ev, p, "participatedIn", arrests)
        d.fact(ev, p, "arrestedBy", police)
        words = rng.choice(QUOTES_FLIGHT).format(city=city.label, country="Georgia")
        ev = d.say(
            f"\u201c{words},\u201d {p.info['short']} told {d.publisher.label} after {he_she(p)} was released."
        )
        d.said(ev, p, words)
        d.fact(ev, p, "interviewedBy", d.publisher)
        d.para()
        if rng.random() < 0.5:
            case = self.event("Prosecution", f"Case against {p.label}", "Administrative case.", day)
            ev = d.say(
                f"{p.info['short']} was later fined for taking part in an unauthorised rally."
            )
            d.fact(ev, p, "participatedIn", case)
            d.fact(ev, case, "after", arrests)
            if d.yaml and rng.random() < 0.5:
                case.date_unknown = True
                self.quads += 1
            else:
                d.fact(
                    ev,
                    case,
                    "date",
                    v=iso(day, "month"),
                    conf="0.8",
                    note="Month inferred from the date of the protest.",
                )
        if rng.random() < 0.4:
            dest = self.place(self.dest_after.draw(rng))
            ev = d.say(f"A week later {he_she(p)} left for {dest.label}.")
            d.fact(ev, p, "fledTo", dest, nb=iso(day), na=iso(pub))
        leader = self.ngo_person(ngo, "spokespersonFor")
        words = rng.choice(QUOTES_NGO)
        ev = d.say(f"\u201c{words},\u201d said {leader.label}, a spokesperson for {ngo.label}.")
        d.said(ev, leader, words)
        d.fact(ev, leader, "spokespersonFor", ngo)
        if rng.random() < 0.5:
            base = self.city_in(ngo.info["base"])
            ev = d.say(f"{ngo.label} is based in {base.label}; it {ngo.info['activity']}.")
            d.fact(ev, ngo, "basedIn", base)
            d.fact(ev, ngo, "activity", v=ngo.info["activity"])
        return rng.choice(HEADLINES_PROTEST).format(city=city.label, n=f"{k:,}")

    def story_asylum(self, d: Draft) -> str:
        rng, pub = self.rng, d.pub
        country = self.asylum_countries.draw(rng)
        c = self.place(country)
        adj = COUNTRIES[country][1]
        ministry = self.body(country, "Interior Ministry")
        spokes = self.official(country, "Interior Ministry spokesperson", ministry)
        day = self.between(max(INVASION, pub - dt.timedelta(days=30)), pub)
        statement = self.event(
            "Statement",
            f"{adj} statement on Russian deserters, {day_text(day)}",
            "Statement on asylum for Russians refusing to fight.",
            day,
        )
        when, note = self.when(day, "day", pub)
        ev = d.say(
            f"{spokes.label}, a spokesperson for the {ministry.label}, said {when} that Russians "
            f"refusing to fight could apply for protection."
        )
        d.fact(ev, spokes, "spokespersonFor", ministry)
        d.fact(ev, spokes, "participatedIn", statement)
        d.fact(ev, statement, "date", v=iso(day), note=note)
        d.fact(ev, statement, "place", c)
        d.fact(ev, ministry, "announced", statement, date=iso(day))
        words = rng.choice(QUOTES_OFFICIAL)
        ev = d.say(f"\u201c{words},\u201d {spokes.info['short']} added.")
        d.said(ev, spokes, words)
        self.admission(d, None, day - dt.timedelta(days=60))
        d.para()
        ngo = self.ngo()
        founder = self.ngo_person(ngo, "founderOf")
        born = self.home_city()
        ev = d.say(
            f"{founder.label}, who founded {ngo.label}, was born in {born.label} in the "
            f"Soviet Union and now lives in {c.label}."
        )
        d.fact(ev, founder, "founderOf", ngo)
        d.fact(ev, founder, "bornIn", born)
        d.fact(ev, founder, "formerCitizenOf", self.place("soviet-union"))
        d.fact(ev, founder, "residesIn", c)
        ev = d.say(f"{ngo.label} {ngo.info['activity']} and works with lawyers in {c.label}.")
        d.fact(ev, ngo, "activity", v=ngo.info["activity"])
        if rng.random() < 0.5:
            culture = COUNTRIES[country][4] if rng.random() < 0.5 else "ru"
            helper = self.person(culture=culture if culture in FOREIGN_NAMES else "ru")
            helper.description = f"Lawyer in {c.label}."
            ev = d.say(f"{helper.label}, a lawyer, works with {ngo.label} on asylum cases.")
            d.fact(ev, helper, "affiliatedWith", ngo)
            d.fact(ev, helper, "occupation", v="lawyer")
        if rng.random() < 0.3:
            reporter = self.person(hub=False)
            outlet = self.media()
            reporter.description = f"Journalist working for {outlet.label}."
            ev = d.say(
                f"{reporter.label}, a journalist for {outlet.label}, contributed to this report."
            )
            d.fact(ev, reporter, "employedBy", outlet)
        if rng.random() < 0.3:
            self.context_history(d)
        return rng.choice(HEADLINES_ASYLUM).format(country=c.label, adj=adj)

    def story_followup(self, d: Draft) -> str:
        rng, pub = self.rng, d.pub
        i = int(len(self.protagonists) * rng.random() ** 3)
        p = self.protagonists[i]
        short = p.info["short"]
        dest = self.place(p.info["dest"])
        left = p.info["left"]
        if left >= pub:
            return self.story_flight(d)
        ev = d.say(
            f"{p.label}, who fled to {dest.label} in {MONTHS[left.month - 1]} {left.year}, has rebuilt {his_her(p)} life abroad."
        )
        d.fact(ev, p, "fledTo", dest, date=iso(left, "month"))
        city = self.city_in(
            self.asylum_countries.draw(rng) if rng.random() < 0.5 else p.info["dest"]
        )
        since = self.between(left, pub)
        ev = d.say(
            f"Since {MONTHS[since.month - 1]} {since.year} {he_she(p)} has lived in {city.label}."
        )
        d.fact(ev, p, "residesIn", city, start=iso(since, "month"))
        ngo = self.ngo()
        ev = d.say(f"{short} now volunteers for {ngo.label}, which {ngo.info['activity']}.")
        d.fact(ev, p, "memberOf", ngo, start=iso(since, "year"))
        d.fact(ev, ngo, "activity", v=ngo.info["activity"])
        words = rng.choice(QUOTES_FLIGHT + QUOTES_SOLDIER).format(
            city=city.label, country=dest.label
        )
        ev = d.say(f"\u201c{words},\u201d {short} told {d.publisher.label}.")
        d.said(ev, p, words)
        d.fact(ev, p, "interviewedBy", d.publisher)
        d.para()
        home = self.entities[p.info["home"]]
        if rng.random() < 0.4:
            rel = self.person(female=rng.random() < 0.5, surname=None)
            rel.description = f"Relative of {p.label}; stayed in Russia."
            ev = d.say(
                f"{his_her(p).capitalize()} cousin {rel.label} stayed behind in {home.label}."
            )
            d.fact(ev, p, "relativeOf", rel)
            d.fact(ev, rel, "residesIn", home)
        if rng.random() < 0.3:
            network = self.ngo()
            if network.type == "InformalNetwork" and network is not ngo:
                ev = d.say(f"{short} co-founded {network.label}, which {network.info['activity']}.")
                d.fact(ev, p, "founderOf", network)
        if rng.random() < 0.15:
            other = self.person(first_only_of=home)
            other.description = f"Man from {home.label} quoted by other media; possibly {p.label}."
            ev = d.say(
                f"It is unclear whether {short} is the {other.info['first']} from {home.label} "
                f"quoted in earlier reports."
            )
            d.fact(ev, p, "possiblySameAs", other, conf="0.5")
        if pub > MOBILISATION and rng.random() < 0.3:
            self.exodus_figure(d, None, dest)
        return rng.choice(HEADLINES_FOLLOWUP).format(name=short, city=city.label)

    # -- context shared by all stories ---------------------------------------------------------
    def context(self, d: Draft) -> None:
        rng, pub = self.rng, d.pub
        d.para()
        undated = [e for e in HUB_EVENTS if e in self.entities and e not in self.dated_events]
        if "partial-mobilisation-2022" in undated or (pub > MOBILISATION and rng.random() < 0.35):
            mob = self.hub_event("partial-mobilisation-2022")
            putin = self.putin()
            prec = "day" if rng.random() < 0.7 else "month"
            when, note = self.when(MOBILISATION, prec, pub)
            ev = d.say(f"President Vladimir Putin announced a partial mobilisation {when}.")
            d.fact(ev, putin, "announced", mob, date=iso(MOBILISATION, prec), note=note)
            d.fact(ev, mob, "date", v=iso(MOBILISATION, prec), note=note)
            if rng.random() < 0.5:
                ev = d.say("Putin, the Russian President, said the call-up concerned reservists.")
                d.fact(ev, putin, "jobTitle", v="Russian President")
                d.fact(ev, putin, "officialOf", self.place("russia"))
                d.fact(ev, mob, "targetGroup", v="reservists")
            if rng.random() < 0.4:
                ministry = self.org("russian-defence-ministry")
                n = rng.choice((300000, 300000, 300000, 1000000))
                qual = "up to"
                ev = d.say(f"The {ministry.label} said {qual} {n:,} reservists could be called up.")
                d.fact(ev, mob, "numberOfPeople", v=n, qual=qual, acc=ministry)
        if rng.random() < 0.25 or "russian-invasion-of-ukraine" not in self.dated_events:
            inv = self.hub_event("russian-invasion-of-ukraine")
            prec = "day" if rng.random() < 0.6 else "month"
            ev = d.say(
                f"Russia launched its full-scale invasion of Ukraine "
                f"{self.when(INVASION, prec, pub)[0]}."
            )
            d.fact(ev, inv, "date", v=iso(INVASION, prec))
            d.fact(ev, inv, "place", self.place("ukraine"))
        if "russian-exodus-2022" in undated or (
            "russian-exodus-2022" in self.entities and pub > MOBILISATION and rng.random() < 0.1
        ):
            exodus = self.entities["russian-exodus-2022"]
            ev = d.say("The exodus began within hours of the mobilisation announcement.")
            d.fact(ev, exodus, "earliestDate", v=iso(MOBILISATION))
            d.fact(ev, exodus, "causedBy", self.hub_event("partial-mobilisation-2022"))
            d.fact(ev, exodus, "origin", self.place("russia"))
        if "russian-army-desertions" in undated or (
            "russian-army-desertions" in self.entities and rng.random() < 0.05
        ):
            hub = self.entities["russian-army-desertions"]
            ev = d.say(
                "Desertions have been reported since the first weeks of the war in February 2022."
            )
            d.fact(ev, hub, "startDate", v="2022-02")
            d.fact(ev, hub, "causedBy", self.hub_event("russian-invasion-of-ukraine"))
        if "eu-visa-restriction-2022" in undated:
            visa = self.entities["eu-visa-restriction-2022"]
            ev = d.say(
                "The European Union agreed on 31 August 2022 to limit Schengen visas for Russians."
            )
            d.fact(ev, visa, "date", v="2022-08-31")
            d.fact(ev, visa, "imposedBy", self.org("european-union"))
        if rng.random() < 0.05:
            self.context_history(d)
        if rng.random() < 0.08 and pub > dt.date(2022, 9, 30):
            ref = self.hub_event("referendums-occupied-ukraine-2022")
            ev = d.say(
                "Days after the call-up, Moscow staged referendums in occupied regions of Ukraine "
                "from 23 to 27 September 2022."
            )
            d.fact(ev, ref, "startDate", v="2022-09-23")
            d.fact(ev, ref, "endDate", v="2022-09-27")
            d.fact(ev, ref, "place", self.place("occupied-territories-of-ukraine"))
        d.paras[-1].extend(rng.sample(FILLERS, rng.randint(0, 2)))

    def context_history(self, d: Draft) -> None:
        rng = self.rng
        if rng.random() < 0.5:
            crimea = self.hub_event("annexation-of-crimea-2014")
            ev = d.say("Russia annexed Crimea from Ukraine in March 2014.")
            d.fact(ev, crimea, "date", v="2014-03")
            d.fact(ev, crimea, "place", self.place("crimea"))
            d.fact(ev, self.place("russia"), "announced", crimea, date="2014-03")
        else:
            covid = self.hub_event("covid-19-pandemic")
            ev = d.say(
                "Traffic at the border had barely recovered from the Covid-19 pandemic of 2020."
            )
            d.fact(ev, covid, "date", v="2020")

    # -- writers ---------------------------------------------------------------------------------
    def write_text(self, path: Path, d: Draft, headline: str | None, lead: str) -> None:
        rng = self.rng
        parts: list[str] = []
        scraped = rng.random() < 0.35
        if scraped:
            parts += ["Connect with us", "Hi, what are you looking for?", "Current News"]
        if headline:
            parts.append(headline)
        for k, para in enumerate(p for p in d.paras if p):
            parts.append((lead if k == 0 else "") + " ".join(para))
            if k == 1 and rng.random() < 0.2:
                parts.append(f"Cars queue at a border crossing. Photo: {d.publisher.label}")
            if k == 2 and scraped and rng.random() < 0.4:
                parts.append(f"See also: {rng.choice(TEASERS)}")
        if scraped:
            parts += ["Source link", "You may also like", rng.choice(TEASERS), rng.choice(TEASERS)]
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write("\n\n".join(parts))
            fh.write("\n")

    def write_yaml_facts(self, path: Path, d: Draft, headline: str) -> None:
        rng = self.rng
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(f"# Facts supported by the article {yaml_str(headline)}\n")
            fh.write(f"# (published {d.pub.isoformat()}). Synthetic data for benchmarks.\n")
            fh.write(f'source: "{d.sid}"\nfacts:\n')
            for s, rel, o, v, ev, date, start, end, nb, na, acc, qual, conf, note in d.facts:
                fh.write(f"  - subject: {s.id}\n    relation: {rel}\n")
                if o is not None:
                    fh.write(f"    object: {o.id}\n")
                elif isinstance(v, bool):
                    fh.write(f"    value: {'true' if v else 'false'}\n")
                elif isinstance(v, int):
                    fh.write(f"    value: {v}\n")
                else:
                    fh.write(f"    value: {yaml_str(str(v))}\n")
                for key, val in (
                    ("date", date),
                    ("start", start),
                    ("end", end),
                    ("not_before", nb),
                    ("not_after", na),
                ):
                    if val is not None:
                        fh.write(f'    {key}: "{val}"\n')
                if acc is not None:
                    fh.write(f"    according_to: {acc.id}\n")
                if qual is not None:
                    fh.write(f"    qualifier: {qual}\n")
                if conf is not None:
                    fh.write(f"    confidence: {conf}\n")
                if not (rel == "said" and rng.random() < 0.5):  # said: evidence defaults to words
                    fh.write(f"    evidence: {yaml_str(_plain_quotes(ev, rng))}\n")
                if note is not None:
                    fh.write(f"    note: {yaml_str(note)}\n")

    def write_gazetteer(self, path: Path) -> None:
        """borderOf facts of the gazetteer (locatedIn is in places.csv)."""
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(
                "# Background knowledge of the gazetteer: which states each border separates.\n"
            )
            fh.write("source: gazetteer\nfacts:\n")
            for s, rel, o in self.gazetteer:
                if rel != "locatedIn":
                    fh.write(f"  - subject: {s.id}\n    relation: {rel}\n    object: {o.id}\n")

    def write_entities(self, folder: Path) -> None:
        groups: dict[str, list[Ent]] = {}
        for ent in self.entities.values():
            if ent.type in PLACE_TYPES:
                name = "places.csv"
            elif ent.type == "Person":
                name = "people.yaml" if ent.in_yaml else "people.csv"
            elif ent.type in EVENT_TYPES:
                name = "events.yaml" if ent.in_yaml or ent.date_unknown else "events.csv"
            else:
                name = "organisations.yaml"
            groups.setdefault(name, []).append(ent)
        for name in ("people.yaml", "organisations.yaml", "events.yaml"):
            ents = groups.get(name)
            if not ents:
                continue
            with open(folder / name, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(ENTITY_HEADERS[name])
                fh.write("entities:\n")
                for e in sorted(ents, key=lambda e: e.id):
                    fh.write(
                        f"  - id: {e.id}\n    type: {e.type}\n    label: {yaml_str(e.label)}\n"
                    )
                    if e.aliases:
                        fh.write(f"    aliases: [{', '.join(yaml_str(a) for a in e.aliases)}]\n")
                    if e.wikidata:
                        fh.write(f"    wikidata: {e.wikidata}\n")
                    fh.write(f"    description: {yaml_str(e.description or e.label)}\n")
                    if not e.mentioned and e.first_source:
                        fh.write(f'    mentioned_in: ["{e.first_source}"]\n')
                    if e.date_unknown:
                        fh.write("    date: unknown\n")
        for name in ("places.csv", "people.csv", "events.csv"):
            ents = groups.get(name)
            if not ents:
                continue
            if name != "places.csv":
                ents = sorted(ents, key=lambda e: e.id)
            with open(folder / name, "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(ENTITY_COLUMNS)
                for e in ents:
                    row = [
                        e.id,
                        e.type,
                        e.label,
                        ";".join(e.aliases),
                        e.wikidata or "",
                        e.parent or "",
                        e.description or e.label,
                        "" if e.mentioned else e.first_source,
                    ]
                    # The later columns (latitude, longitude) stay empty: no synthetic coordinates.
                    writer.writerow(row + [""] * (len(ENTITY_COLUMNS) - len(row)))


def _feminine(surname: str) -> str:
    if surname.endswith(("ov", "ev", "in")):
        return surname + "a"
    if surname.endswith("sky"):
        return surname[:-1] + "aya"
    return surname


def ordinal(n: int) -> str:
    if n % 100 in (11, 12, 13):
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def he_she(p: Ent) -> str:
    return "she" if p.info.get("female") else "he"


def his_her(p: Ent) -> str:
    return "her" if p.info.get("female") else "his"


def _plain_quotes(text: str, rng: Random) -> str:
    """Curators often type straight quotes; the loader folds typography when matching."""
    if rng.random() < 0.5:
        return text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
    return text


def _csv_row(sid: str, f: tuple) -> list[str]:
    s, rel, o, v, ev, date, start, end, nb, na, acc, qual, conf, note = f
    if o is not None:
        value = ""
    elif isinstance(v, bool):
        value = "true" if v else "false"
    else:
        value = str(v)
    return [
        s.id,
        rel,
        o.id if o is not None else "",
        value,
        sid,
        ev,
        date or "",
        start or "",
        end or "",
        nb or "",
        na or "",
        acc.id if acc is not None else "",
        qual or "",
        conf or "",
        note or "",
    ]


PLACE_TYPES = {"Country", "Region", "City", "Border", "BorderCrossingPoint"}
EVENT_TYPES = {
    "Mobilisation",
    "Invasion",
    "Annexation",
    "Referendum",
    "Conscription",
    "Deployment",
    "Desertion",
    "Flight",
    "Exodus",
    "BorderCrossing",
    "PolicyMeasure",
    "EntryRestriction",
    "Arrest",
    "Prosecution",
    "Protest",
    "AdmissionDecision",
    "Statement",
    "Pandemic",
}
HUB_EVENTS = {
    "partial-mobilisation-2022": (
        "Mobilisation",
        "2022 Russian partial mobilisation",
        ("partial mobilisation", "partial mobilization"),
        "Call-up of reservists decreed by Vladimir Putin on 21 September 2022.",
    ),
    "russian-invasion-of-ukraine": (
        "Invasion",
        "Russian invasion of Ukraine",
        ("war in Ukraine",),
        "Full-scale war begun by Russia on 24 February 2022.",
    ),
    "russian-exodus-2022": (
        "Exodus",
        "Exodus of Russian men after the 2022 mobilisation",
        (),
        "Mass departure of military-aged Russian men to avoid the mobilisation.",
    ),
    "russian-army-desertions": (
        "Desertion",
        "Desertions from the Russian army since February 2022",
        (),
        "Russian soldiers deserting since the start of the war.",
    ),
    "eu-visa-restriction-2022": (
        "EntryRestriction",
        "EU limitation of Schengen visas for Russians",
        (),
        "EU agreement to limit the issuance of Schengen visas to Russians.",
    ),
    "referendums-occupied-ukraine-2022": (
        "Referendum",
        "2022 annexation referendums in Russian-occupied Ukraine",
        (),
        "Votes staged by Moscow in occupied regions of Ukraine.",
    ),
    "annexation-of-crimea-2014": (
        "Annexation",
        "Annexation of Crimea by Russia",
        (),
        "Russia's 2014 annexation of the Crimean peninsula.",
    ),
    "covid-19-pandemic": ("Pandemic", "COVID-19 pandemic", ("Covid-19",), "Pandemic of 2020."),
}
CAUSE_TEXT = {
    "partial-mobilisation-2022": "the Kremlin announced the partial mobilisation",
    "russian-invasion-of-ukraine": "Russia invaded Ukraine",
}
TARGET_GROUPS = (
    "Russians holding Schengen tourist visas",
    "Russian tourists",
    "Russian men of military age",
    "Russian citizens without a residence permit",
)
STORY_KINDS = Weighted(
    (("flight", 40), ("desertion", 20), ("policy", 18), ("protest", 10), ("asylum", 12))
)
STORY_ORDER = ("flight", "desertion", "policy", "protest", "asylum", "followup", "desertion")
HEADLINES_FLIGHT = (
    "Russians fleeing the call-up queue for hours on the road to {country}",
    "'{words}': a {job} from {city} on leaving Russia",
    "From {city} to {country}: one man's escape from the draft",
    "Russian men join exodus, fearful of being called up to fight in Ukraine",
    "{name} left Russia with one suitcase. Now {country} is home",
)
HEADLINES_DESERTION = (
    "Russian deserter {name} starts a new life in {country}",
    "'{words}': the soldier who walked away from the {unit}",
    "How a Russian soldier deserted and reached {country}",
)
HEADLINES_POLICY = (
    "{country} restricts entry of Russians as arrivals rise {pct}%",
    "{country} to close border to Russian tourists",
    "{adj} government tightens rules for Russians fleeing mobilisation",
)
HEADLINES_PROTEST = (
    "Hundreds detained at anti-mobilisation protest in {city}",
    "Police detain {n} in {city} as protests against call-up spread",
)
HEADLINES_ASYLUM = (
    "{country} says Russian deserters can apply for protection",
    "{adj} officials weigh asylum for Russians refusing to fight",
)
HEADLINES_FOLLOWUP = (
    "A year on, {name} has rebuilt a life in {city}",
    "Where are they now? {name}, who fled the draft",
)
SOURCE_NOTES = (
    "publication date as shown on the page ({pub})",
    "date inferred from the events reported; around {pub}",
    "scraped copy; the page shows {pub}",
)
CORPUS_HEADER = (
    "# Metadata of the source articles in this folder (synthetic corpus for benchmarks).\n"
    "# The texts are scraped pages: site navigation, teasers for unrelated stories, photo\n"
    "# credits and comment boxes around the article are not part of it.\n"
)
DATA_SOURCES_HEADER = (
    "# The sources facts are taken from (synthetic data for benchmarks): corpus articles by\n"
    "# corpus id, and the gazetteer reference source of entities/places.csv.\n"
    "sources:\n"
    "  - id: gazetteer\n"
    "    kind: reference\n"
    "    title: kg-builder gazetteer of places\n"
    "    description: Containment of places and the states each border separates, from\n"
    "      general geographic knowledge.\n"
)
ENTITY_HEADERS = {
    "people.yaml": "# People: officials, NGO staff and the protagonists of some articles.\n"
    "# The long tail is in people.csv.\n",
    "organisations.yaml": "# Organisations: media, NGOs, government bodies, armed forces.\n",
    "events.yaml": "# Events: the big ones every source refers to, and those of some articles.\n"
    "# The long tail is in events.csv.\n",
}


def generate(out_dir: str | Path, triples: float, seed: int = 42) -> dict:
    """Write OUT/corpus and OUT/data for a graph of about `triples` quads; return a summary."""
    out = Path(out_dir)
    for sub in ("corpus", "data"):  # stale files of an earlier run would break determinism
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    return Generator(out, int(float(triples)), seed).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generate",
        description="Generate a synthetic corpus and curated data of about N quads.",
    )
    parser.add_argument("--triples", type=float, required=True, help="target quads, e.g. 1e6")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    args = parser.parse_args(argv)
    summary = generate(args.out, args.triples, args.seed)
    print(
        f"generated {summary['articles']:,} articles, {summary['entities']:,} entities, "
        f"{summary['facts']:,} facts (~{summary['quads_estimate']:,} quads) in "
        f"{summary['files']:,} files, {summary['bytes']:,} bytes, {summary['seconds']} s "
        f"-> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
