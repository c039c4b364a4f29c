"""Synthetic names, languages and contact details for the demonstration school.

Names come in family backgrounds so that a family's surname, forenames and
first language agree. They include apostrophes, hyphens, spaces and letters
outside ASCII, which every screen, import and export must handle. Phone
numbers come from the ranges that Ofcom keeps for drama, and e-mail
addresses use the domains reserved for examples by RFC 2606, so no number
or address reaches a real person.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Background:
    """Names and languages that go together in one family."""

    key: str
    weight: float
    surnames: tuple[str, ...]
    boys: tuple[str, ...]
    girls: tuple[str, ...]
    languages: tuple[str, ...] = ()

    # Chance that a family of this background speaks a first language other
    # than English at home, so the pupil is recorded as EAL.
    eal_share: float = 0.0


BACKGROUNDS: tuple[Background, ...] = (
    Background(
        "english",
        44,
        (
            "Smith", "Jones", "Taylor", "Brown", "Wilson", "Johnson", "Robinson",
            "Wright", "Thompson", "Walker", "White", "Green", "Hall", "Wood",
            "Jackson", "Clarke", "Smith-Jones", "Harris-Lee", "Turner", "Cooper",
            "Ward", "Marsh", "Baker", "Fletcher", "Parkinson", "Holt",
        ),
        (
            "Oliver", "George", "Harry", "Jack", "Noah", "Leo", "Alfie", "Charlie",
            "Freddie", "Thomas", "Oscar", "Archie", "Joshua", "Jacob", "Reuben",
            "Alexander", "William", "Samuel",
        ),
        (
            "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella",
            "Rosie", "Sophia", "Grace", "Freya", "Zoë", "Chloë", "Evie",
            "Elizabeth", "Katherine", "Poppy",
        ),
    ),
    Background(
        "irish",
        5,
        (
            "O'Connor", "O'Brien", "Ó Briain", "Murphy", "Kelly", "Byrne",
            "McCarthy", "Walsh", "O'Sullivan",
        ),
        ("Seán", "Ciarán", "Oisín", "Pádraig", "Cian", "Darragh", "Conor"),
        ("Siobhán", "Aoife", "Niamh", "Saoirse", "Róisín", "Caoimhe", "Orla"),
    ),
    Background(
        "scottish",
        3,
        ("MacDonald", "McLeod", "Fraser", "Sinclair", "Mackenzie", "Ross"),
        ("Callum", "Ewan", "Lachlan", "Finlay", "Ruairidh"),
        ("Eilidh", "Kirsty", "Isla", "Mhairi", "Catriona"),
    ),
    Background(
        "welsh",
        3,
        ("Hughes", "Evans", "Llewellyn", "Pryce", "Davies", "ap Rhys"),
        ("Dafydd", "Rhys", "Gethin", "Iwan", "Emrys"),
        ("Cerys", "Efa", "Seren", "Ffion", "Angharad"),
    ),
    Background(
        "caribbean",
        5,
        ("Campbell", "Thomas", "Bailey", "Grant", "Francis", "Henry", "Clarke-Bailey"),
        ("Jayden", "Tyrese", "Malachi", "Kai", "Jerome", "Dwayne"),
        ("Shanice", "Kiara", "Destiny", "Jada", "Aaliyah", "Tia"),
    ),
    Background(
        "nigerian",
        6,
        ("Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Nwosu", "Adebayo", "Chukwu"),
        ("Chukwuemeka", "Oluwaseun", "Tobenna", "Ayodele", "Ikenna", "Emeka"),
        ("Chiamaka", "Adaeze", "Oluwatoyin", "Folake", "Ngozi", "Ifeoma"),
        ("Yoruba", "Igbo"),
        eal_share=0.1,
    ),
    Background(
        "pakistani",
        7,
        ("Khan", "Hussain", "Ahmed", "Iqbal", "Shah", "Akhtar", "Rashid"),
        ("Muhammad", "Ibrahim", "Zain", "Hamza", "Ayaan", "Rayyan"),
        ("Aaliyah", "Maryam", "Zara", "Hafsa", "Inaya", "Noor"),
        ("Urdu", "Punjabi"),
        eal_share=0.32,
    ),
    Background(
        "bangladeshi",
        3,
        ("Begum", "Rahman", "Miah", "Uddin", "Islam", "Chowdhury"),
        ("Abdul", "Rahim", "Tahmid", "Raihan", "Ismail"),
        ("Sumaiya", "Tasnim", "Nusrat", "Fahmida", "Ayesha"),
        ("Bengali", "Sylheti"),
        eal_share=0.42,
    ),
    Background(
        "indian",
        5,
        ("Patel", "Singh", "Sharma", "Gupta", "Desai", "Mistry"),
        ("Arjun", "Rohan", "Aarav", "Harjit", "Dev", "Krish"),
        ("Priya", "Ananya", "Simran", "Diya", "Anika", "Navneet"),
        ("Gujarati", "Punjabi", "Hindi"),
        eal_share=0.24,
    ),
    Background(
        "polish",
        4,
        ("Nowak", "Wójcik", "Mazur", "Krawczyk", "Kaczmarek", "Zając", "Król", "Dudek"),
        ("Łukasz", "Jakub", "Kacper", "Szymon", "Mikołaj", "Filip"),
        ("Zofia", "Zuzanna", "Maja", "Małgorzata", "Wiktoria", "Łucja"),
        ("Polish",),
        eal_share=0.52,
    ),
    Background(
        "romanian",
        3,
        ("Popescu", "Ionescu", "Popa", "Stan", "Dumitru", "Munteanu"),
        ("Andrei", "Ștefan", "Mihai", "Ionuț", "Alexandru"),
        ("Ioana", "Maria", "Andreea", "Bianca", "Ștefania"),
        ("Romanian",),
        eal_share=0.52,
    ),
    Background(
        "czech",
        1,
        ("Dvořák", "Novák", "Svoboda", "Procházka"),
        ("Jiří", "Tomáš", "Matěj", "Vojtěch"),
        ("Tereza", "Eliška", "Anežka", "Kateřina"),
        ("Czech",),
        eal_share=0.49,
    ),
    Background(
        "somali",
        2,
        ("Mohamed", "Hassan", "Abdi", "Warsame", "Farah", "Ali"),
        ("Abdirahman", "Hamza", "Yusuf", "Mahad", "Abdullahi"),
        ("Hodan", "Ayaan", "Sagal", "Ifrah", "Hibo"),
        ("Somali",),
        eal_share=0.49,
    ),
    Background(
        "vietnamese",
        1.5,
        ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng"),
        ("Minh", "Đức", "Huy", "Khoa", "Bảo"),
        ("Linh", "Ngọc", "Thảo", "Mai", "Hương"),
        ("Vietnamese",),
        eal_share=0.49,
    ),
    Background(
        "chinese",
        2,
        ("Chen", "Wang", "Li", "Zhang", "Liu", "Wong", "Chan"),
        ("Wei", "Hao", "Jun", "Ethan", "Zihan"),
        ("Mei", "Xin", "Yan", "Chloe", "Yuxi"),
        ("Mandarin", "Cantonese"),
        eal_share=0.35,
    ),
    Background(
        "portuguese",
        2,
        ("Silva", "Santos", "Ferreira", "Costa", "Gonçalves", "da Silva"),
        ("João", "Tomás", "Rodrigo", "Gonçalo", "Rafael"),
        ("Inês", "Beatriz", "Leonor", "Mariana", "Matilde"),
        ("Portuguese",),
        eal_share=0.49,
    ),
    Background(
        "arabic",
        1.5,
        ("Al-Sayed", "Haddad", "Nasser", "Al-Amin", "El-Masry"),
        ("Omar", "Khalid", "Youssef", "Karim", "Adam"),
        ("Layla", "Rania", "Jana", "Salma", "Huda"),
        ("Arabic",),
        eal_share=0.49,
    ),
    Background(
        "eritrean",
        1,
        ("Tesfay", "Gebremedhin", "Haile", "Berhane"),
        ("Yonas", "Dawit", "Samuel", "Filmon"),
        ("Selam", "Helen", "Saba", "Ruta"),
        ("Tigrinya",),
        eal_share=0.56,
    ),
)

# Short forms used as preferred names.
PREFERRED_NAMES = {
    "Alexander": "Alex",
    "Elizabeth": "Beth",
    "Katherine": "Kate",
    "Samuel": "Sam",
    "William": "Will",
    "Joshua": "Josh",
    "Oluwaseun": "Seun",
    "Chukwuemeka": "Emeka",
    "Małgorzata": "Gosia",
    "Muhammad": "Mo",
    "Oluwatoyin": "Toyin",
}

# Adult forenames for contacts, drawn from the same backgrounds so that a
# parent's name fits the family.
ADULT_MEN = {
    "default": ("David", "Paul", "Mark", "Andrew", "Darren", "Lee", "Gareth"),
    "irish": ("Declan", "Seamus", "Eoin"),
    "nigerian": ("Chinedu", "Babatunde", "Olumide"),
    "pakistani": ("Imran", "Tariq", "Asif"),
    "bangladeshi": ("Shahid", "Kamal", "Jamal"),
    "indian": ("Sanjay", "Rajesh", "Gurpreet"),
    "polish": ("Paweł", "Tomasz", "Krzysztof"),
    "romanian": ("Florin", "Cătălin", "Gheorghe"),
    "czech": ("Petr", "Jan", "Martin"),
    "somali": ("Abdikarim", "Mohamud", "Said"),
    "vietnamese": ("Tuấn", "Hùng", "Long"),
    "chinese": ("Jian", "Ming", "Kwok"),
    "portuguese": ("Nuno", "Paulo", "Sérgio"),
    "arabic": ("Ahmad", "Mahmoud", "Tarek"),
    "eritrean": ("Tesfaye", "Mehari", "Kidane"),
}
ADULT_WOMEN = {
    "default": ("Sarah", "Emma", "Lisa", "Claire", "Joanne", "Michelle", "Rachel"),
    "irish": ("Bríd", "Máire", "Sinéad"),
    "nigerian": ("Ngozi", "Funmilayo", "Chioma"),
    "pakistani": ("Nasreen", "Shazia", "Farzana"),
    "bangladeshi": ("Rokeya", "Shirin", "Hasina"),
    "indian": ("Sunita", "Rekha", "Harpreet"),
    "polish": ("Agnieszka", "Katarzyna", "Joanna"),
    "romanian": ("Elena", "Mihaela", "Florentina"),
    "czech": ("Jana", "Petra", "Lucie"),
    "somali": ("Fadumo", "Khadra", "Amina"),
    "vietnamese": ("Hằng", "Lan", "Phương"),
    "chinese": ("Li Na", "Hui", "Ying"),
    "portuguese": ("Ana", "Catarina", "Sofia"),
    "arabic": ("Fatima", "Nour", "Mona"),
    "eritrean": ("Mebrat", "Tsega", "Almaz"),
}

# Ofcom keeps these for drama: 07700 900000 to 900999 (mobile), and 020 7946
# 0000 to 0999 and 0113 496 0000 to 0999 (landline).
_PHONE_RANGES = ("07700 900{:03d}", "020 7946 0{:03d}", "0113 496 0{:03d}")
PHONE_NUMBER_COUNT = 1000 * len(_PHONE_RANGES)

_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")

# Letters that NFKD does not split into a base letter and an accent.
_ASCII_EXTRA = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ß": "ss"})


def weighted_background(rng: random.Random) -> Background:
    """Pick a background in proportion to its weight."""
    return rng.choices(BACKGROUNDS, weights=[item.weight for item in BACKGROUNDS])[0]


def phone_numbers(rng: random.Random) -> list[str]:
    """Return every drama phone number once, mobiles first, each group shuffled."""
    numbers = []
    for pattern in _PHONE_RANGES:
        group = [pattern.format(index) for index in range(1000)]
        rng.shuffle(group)
        numbers.extend(group)
    return numbers


def ascii_fold(text: str) -> str:
    """Return ``text`` with accents removed, for e-mail addresses."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_EXTRA))
    return "".join(character for character in decomposed if character.isascii())


def email_address(forename: str, surname: str, number: int, rng: random.Random) -> str:
    """Build a plausible e-mail address on a domain reserved for examples."""
    local = ascii_fold(f"{forename}.{surname}").lower()
    local = "".join(character for character in local if character.isalnum() or character == ".")
    return f"{local}{number}@{rng.choice(_EMAIL_DOMAINS)}"
