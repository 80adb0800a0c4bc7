"""Small built-in word lists for the demo business (no Faker dependency).

Everything here is invented or generic: first and last names common in the
German-speaking countries, a few real cities with their region and a postal
code prefix, professions, income bands, product categories, staff, and the
wording of the comment themes planted in survey answers and reviews.

E-mail domains are the reserved ``example.*`` names (RFC 2606), so a demo
database can never send a message to a real person.
"""

from __future__ import annotations

FIRST_NAMES_FEMALE = (
    "Anna", "Marie", "Sophie", "Laura", "Julia", "Lena", "Sarah", "Lisa", "Katharina", "Johanna",
    "Hannah", "Lea", "Emma", "Mia", "Clara", "Charlotte", "Sabine", "Petra", "Monika", "Andrea",
    "Claudia", "Susanne", "Birgit", "Karin", "Nicole", "Stefanie", "Jana", "Melanie", "Eva",
    "Ingrid", "Renate", "Ursula", "Helga", "Franziska", "Miriam", "Elif", "Fatma", "Olga",
    "Natalia", "Ines", "Sanne", "Femke", "Martina", "Verena", "Theresa",
)  # fmt: skip

FIRST_NAMES_MALE = (
    "Thomas", "Michael", "Andreas", "Stefan", "Christian", "Markus", "Frank", "Peter", "Jan",
    "Lukas", "Leon", "Paul", "Jonas", "Felix", "Maximilian", "Tim", "Tobias", "Florian", "David",
    "Daniel", "Sebastian", "Alexander", "Matthias", "Martin", "Klaus", "Jürgen", "Uwe", "Wolfgang",
    "Dieter", "Hans", "Günter", "Ralf", "Oliver", "Niklas", "Elias", "Emre", "Mehmet", "Luca",
    "Milan", "Pieter", "Daan", "Bram", "Lars", "Simon", "Georg",
)  # fmt: skip

LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
    "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler",
    "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang",
    "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert", "Vogel", "Friedrich", "Keller",
    "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke",
    "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Schumacher",
    "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich", "Brandt",
    "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn", "Kühn", "Pohl",
    "Engel", "Horn", "Busch", "Bergmann", "Thomas", "Voigt", "Sauer", "Arnold", "Wolff", "Pfeiffer",
    "Yilmaz", "Kaya", "Nowak", "Kowalski", "de Vries", "Jansen", "Bakker", "Gruber", "Pichler",
    "Steiner", "Moser", "Brunner", "Meili", "Frei",
)  # fmt: skip

# (city, region, country ISO alpha-2, postal code prefix, telephone area code, weight)
CITIES = (
    ("Berlin", "Berlin", "DE", "10", "30", 12),
    ("Hamburg", "Hamburg", "DE", "20", "40", 7),
    ("München", "Bayern", "DE", "80", "89", 7),
    ("Köln", "Nordrhein-Westfalen", "DE", "50", "221", 5),
    ("Frankfurt am Main", "Hessen", "DE", "60", "69", 4),
    ("Stuttgart", "Baden-Württemberg", "DE", "70", "711", 4),
    ("Düsseldorf", "Nordrhein-Westfalen", "DE", "40", "211", 3),
    ("Leipzig", "Sachsen", "DE", "04", "341", 3),
    ("Dresden", "Sachsen", "DE", "01", "351", 3),
    ("Hannover", "Niedersachsen", "DE", "30", "511", 3),
    ("Nürnberg", "Bayern", "DE", "90", "911", 3),
    ("Bremen", "Bremen", "DE", "28", "421", 2),
    ("Freiburg im Breisgau", "Baden-Württemberg", "DE", "79", "761", 2),
    ("Münster", "Nordrhein-Westfalen", "DE", "48", "251", 2),
    ("Rostock", "Mecklenburg-Vorpommern", "DE", "18", "381", 1),
    ("Potsdam", "Brandenburg", "DE", "14", "331", 2),
    ("Wien", "Wien", "AT", "1", "1", 4),
    ("Graz", "Steiermark", "AT", "8", "316", 1),
    ("Salzburg", "Salzburg", "AT", "5", "662", 1),
    ("Zürich", "Zürich", "CH", "80", "44", 2),
    ("Basel", "Basel-Stadt", "CH", "40", "61", 1),
    ("Amsterdam", "Noord-Holland", "NL", "10", "20", 2),
    ("Utrecht", "Utrecht", "NL", "35", "30", 1),
)

COUNTRY_CALLING_CODES = {"DE": "49", "AT": "43", "CH": "41", "NL": "31"}
# Length of the whole postal code per country (the prefix above is padded with digits).
POSTAL_CODE_LENGTH = {"DE": 5, "AT": 4, "CH": 4, "NL": 4}

PROFESSIONS = (
    "teacher", "nurse", "engineer", "software developer", "student", "retired", "sales clerk",
    "accountant", "craftsman", "physician", "lawyer", "designer", "civil servant", "farmer",
    "self-employed", "manager", "cook", "driver", "scientist", "homemaker",
)  # fmt: skip

INCOME_BANDS = ("<20k", "20k-40k", "40k-60k", "60k-90k", ">90k")
INCOME_WEIGHTS = (0.17, 0.32, 0.27, 0.16, 0.08)

ACQUISITION_CHANNELS = (
    "organic search", "paid search", "social media", "referral", "store walk-in", "marketplace",
    "newsletter signup",
)  # fmt: skip
ACQUISITION_WEIGHTS = (0.28, 0.2, 0.16, 0.12, 0.12, 0.07, 0.05)

EMAIL_DOMAINS = (
    "example.com",
    "example.net",
    "example.org",
    "mail.example.com",
    "post.example.net",
)
EMAIL_DOMAIN_WEIGHTS = (0.35, 0.25, 0.2, 0.12, 0.08)

COMPANY_SUFFIXES = ("GmbH", "GmbH & Co. KG", "KG", "AG", "e.K.", "UG")
COMPANY_TRADES = (
    "Bäckerei", "Architekturbüro", "Praxis", "Kanzlei", "Werkstatt", "Café", "Blumen", "Hotel",
    "Reisebüro", "Malerbetrieb",
)  # fmt: skip

DO_NOT_CONTACT_REASONS = (
    "asked not to be contacted", "unsubscribed by phone", "legal dispute", "moved abroad",
    "complaint escalated to management",
)  # fmt: skip

STAFF = ("anna.k", "ben.m", "carla.s", "deniz.y", "erik.w", "fatima.r")

# Product categories: name -> (typical days between repeat purchases, spend factor on the
# Gamma-Gamma mean). The seasonal category is bought only in winter (November to February).
CATEGORIES = {
    "Coffee": (30.0, 0.8),
    "Cosmetics": (45.0, 1.1),
    "Books": (75.0, 0.7),
    "Shoes": (90.0, 2.5),
    "Outdoor clothing": (150.0, 3.0),
    "Furniture": (400.0, 9.0),
}
SEASONAL_CATEGORY = "Snow boots"
SEASONAL_SPEND_FACTOR = 3.2
WINTER_MONTHS = (11, 12, 1, 2)

# Planted comment themes: theme -> (feedback category, tone, wordings). Tone "bad" themes are
# given to customers whose relationship goes badly, "good" ones to those who stay.
THEMES = {
    "late delivery": (
        "Delivery",
        "bad",
        (
            "Late delivery again.",
            "My parcel arrived a week late.",
            "Delivery was late and nobody told me.",
            "Shipping took far too long, late delivery every time.",
            "The order came late, I needed it earlier.",
            "late delivery",
        ),
    ),
    "too expensive": (
        "Product",
        "bad",
        (
            "Too expensive for what you get.",
            "Prices went up, it is too expensive now.",
            "Good stuff but too expensive.",
            "too expensive compared to other shops",
            "The prices are too high.",
        ),
    ),
    "website hard to use": (
        "Support",
        "bad",
        (
            "The website is hard to use.",
            "Checkout on the website is confusing, hard to use.",
            "Could not find anything, website hard to use.",
            "Your website is hard to use on my phone.",
            "Ordering online is complicated.",
        ),
    ),
    "friendly staff": (
        "Service",
        "good",
        (
            "Friendly staff, always helpful.",
            "The staff were very friendly.",
            "Really friendly staff in the shop.",
            "friendly and competent staff",
            "Lovely people, so friendly.",
        ),
    ),
    "great quality": (
        "Product",
        "good",
        (
            "Great quality, lasts for years.",
            "The quality is great.",
            "Great quality products.",
            "Excellent quality, worth the money.",
            "great quality as always",
        ),
    ),
}
LOW_EFFORT_COMMENTS = ("fine", "ok", "good", "Fine.", "OK", "all good", "-")

COMPLAINT_TOPICS = (
    "parcel damaged on arrival", "wrong size delivered", "charged twice", "item missing from order",
    "rude answer on the phone", "delivery never arrived", "refund not received",
)  # fmt: skip
RESOLUTIONS = (
    "replacement sent", "refund issued", "apologised and sent a voucher", "reshipped the order",
    "corrected the invoice",
)  # fmt: skip
SUPPORT_QUESTIONS = (
    "question about delivery time", "how to change the delivery address", "size advice",
    "question about an invoice", "product availability", "how to return an item",
    "password reset on the website",
)  # fmt: skip
