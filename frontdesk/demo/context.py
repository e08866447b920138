"""What the demo steps share: the demo staff and their PINs, the demo people, the
employers and municipalities, and the context each step fills for the next.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from frontdesk.services import Services
from frontdesk.services.staff import StaffInfo
from frontdesk.services.visitors import (
    VisitorRecord,
)

DEMO_STAFF: tuple[tuple[str, str, str], ...] = (
    ("Anne de Vries", "lead", "1111"),
    ("Bram Jansen", "desk", "2222"),
    ("Chiara Rossi", "desk", "3333"),
    ("Daan Bakker", "intern", "4444"),
)
DEMO_PINS = {name: pin for name, _role, pin in DEMO_STAFF}

# (given names, family name, nationality, phone as a visitor might write it, language)
DEMO_PEOPLE: tuple[tuple[str, str, str, str, str], ...] = (
    ("Zoë", "Ødegård", "NO", "+47 412 34 567", "Norwegian"),
    ("Łukasz", "Kowalczyk", "PL", "+48 512 345 678", "Polish"),
    ("Nguyễn Thị", "Lan", "VN", "+84 91 234 56 78", "Vietnamese"),
    ("محمد", "العلي", "SY", "06-12345671", "Arabic"),
    ("王", "芳", "CN", "+86 131 2345 6789", "Chinese"),
    ("Priya", "Raghunathan", "IN", "+91 98765 43210", "English"),
    ("Emily", "Carter", "US", "+1 (202) 555-0143", "English"),
    ("James", "O'Connor", "IE", "+353 85 123 4567", "English"),
    ("Olena", "Shevchenko", "UA", "+380 67 123 4567", "Ukrainian"),
    ("Sofía", "Martínez García", "ES", "+34 612 34 56 78", "Spanish"),
    ("João", "Gonçalves", "BR", "+55 11 91234-5678", "Portuguese"),
    ("Ayşe", "Yılmaz", "TR", "+90 532 123 45 67", "Turkish"),
    ("Kenji", "Tanaka", "JP", "+81 90-1234-5678", "Japanese"),
    ("Min-jun", "Kim", "KR", "+82 10-1234-5678", "Korean"),
    ("Amara", "Okafor", "NG", "+234 803 123 4567", "English"),
    ("Dawit", "Bekele", "ET", "06 2345 6781", "Amharic"),
    ("Hannah", "Müller", "DE", "+49 1512 3456789", "German"),
    ("Élodie", "Lefèvre", "FR", "+33 6 12 34 56 78", "French"),
    ("Giulia", "Bianchi", "IT", "+39 312 345 6789", "Italian"),
    ("Андрей", "Смирнов", "RU", "06-34567812", "Russian"),
    ("Νίκος", "Παπαδόπουλος", "GR", "+30 691 234 5678", "Greek"),
    ("Fatima", "Zahra Benali", "MA", "+212 612-345678", "French"),
    ("Siddharth", "Iyer", "IN", "0031 6 45678123", "English"),
    ("Chloé", "Dubois", "BE", "+32 470 12 34 56", "French"),
    ("Mateusz", "Wiśniewski", "PL", "06-56781234", "Polish"),
    ("Ana", "Popescu", "RO", "+40 712 345 678", "Romanian"),
    ("Tomás", "Ó Briain", "IE", "", "English"),
    ("Lina", "Haddad", "LB", "+961 3 123 456", "Arabic"),
    ("Rahel", "Tesfaye", "ER", "06 1812 3456", "Tigrinya"),
    ("Wei", "Zhang", "CN", "", "Chinese"),
    ("Isabella", "Rossi", "IT", "", "Italian"),
    ("Noah", "Williams", "US", "+1 415 555 0199", "English"),
    ("Olivia", "Brown", "GB", "+44 20 8366 1177", "English"),
    ("Ahmed", "Hassan", "EG", "+20 100 123 4567", "Arabic"),
    ("Yuki", "Sato", "JP", "", "Japanese"),
    ("Carlos", "Hernández", "MX", "+52 55 1234 5678", "Spanish"),
    ("Aarav", "Sharma", "IN", "06-81234567", "Hindi"),
    ("Eva", "Novák", "CZ", "+420 601 123 456", "Czech"),
    ("Mikkel", "Sørensen", "DK", "+45 20 12 34 56", "Danish"),
    ("Saoirse", "Nic Giolla", "IE", "", "Irish"),
)
EMPLOYERS = (
    "Leiden University",
    "LUMC",
    "Naturalis",
    "ESA ESTEC",
    "Janssen Biologics",
    "Galapagos",
    "Astellas Pharma",
    "ProQR",
    "Hogeschool Leiden",
    None,
    None,
)
MUNICIPALITIES = (
    "Leiden",
    "Leiden",
    "Oegstgeest",
    "Leiderdorp",
    "Katwijk",
    "Teylingen",
    "Voorschoten",
    "Zoeterwoude",
    "Kaag en Braassem",
    "Noordwijk",
)


@dataclass
class DemoContext:
    staff: list[StaffInfo] = field(default_factory=list)
    visitors: list[VisitorRecord] = field(default_factory=list)
    days: int = 30
    lines: list[str] = field(default_factory=list)


DemoStep = Callable[[Services, random.Random, DemoContext], None]
