"""Value pools for the synthetic district: names, languages, codes. Tuples only, so order is fixed."""
from __future__ import annotations

import unicodedata

# Demographic groups: (key, weight, race value(s), hispanic, home languages with weights)
# A diverse Massachusetts city district.
GROUPS = (
    ("hispanic", 30, "White", True, (("Spanish", 55), ("English", 45))),
    ("hispanic_black", 3, "Black or African American", True, (("Spanish", 60), ("English", 40))),
    ("white", 27, "White", False, (("English", 100),)),
    ("portuguese", 4, "White", False, (("Portuguese", 65), ("English", 35))),
    ("black", 8, "Black or African American", False, (("English", 85), ("Somali", 15))),
    ("haitian", 4, "Black or African American", False, (("Haitian Creole", 60), ("English", 40))),
    ("capeverdean", 3, "Black or African American", False, (("Cape Verdean Creole", 60), ("English", 40))),
    ("vietnamese", 4, "Asian", False, (("Vietnamese", 60), ("English", 40))),
    ("chinese", 5, "Asian", False, (("Chinese", 60), ("English", 40))),
    ("arabic", 3, "White", False, (("Arabic", 65), ("English", 35))),
    ("multi", 6, None, False, (("English", 100),)),
    ("native", 1, "American Indian or Alaska Native", False, (("English", 100),)),
    ("pacific", 1, "Native Hawaiian or Other Pacific Islander", False, (("English", 100),)),
    ("south_asian", 1, "Asian", False, (("Hindi", 40), ("Bengali", 30), ("English", 30))),
)
MULTI_RACES = (
    "Black or African American, White",
    "Asian, White",
    "American Indian or Alaska Native, White",
    "Black or African American, American Indian or Alaska Native",
    "Asian, Black or African American, White",
    "Native Hawaiian or Other Pacific Islander, Asian",
)

_W_FIRST_F = ("Emma", "Olivia", "Ava", "Sophia", "Isabella", "Abigail", "Emily", "Charlotte", "Harper", "Zoë", "Chloë",
              "Madison", "Avery", "Ella", "Grace", "Nora", "Claire", "Renée", "Maeve", "Siobhán", "Caitlin", "Mary-Kate")
_W_FIRST_M = ("Liam", "Noah", "William", "James", "Benjamin", "Lucas", "Henry", "Jack", "Owen", "Ryan", "Connor", "Liam",
              "Declan", "Aidan", "Matthew", "Michael", "Thomas", "André", "Noël", "Jean-Luc", "Patrick", "Brendan")
_W_LAST = ("Smith", "Sullivan", "Murphy", "O’Brien", "O’Connor", "O’Neil", "Kelly", "McCarthy", "Walsh", "Ryan",
           "Russo", "DiMarco", "De Luca", "Ferreira", "Brooks", "Anderson", "Clark", "Miller", "Davis", "Taylor",
           "Müller", "Schäfer", "Lefèvre", "Côté", "Gagnon", "Bouchard", "Smith-Jones", "Van der Berg", "Kowalski", "Nowak")
_H_FIRST_F = ("Sofía", "María", "Valentina", "Camila", "Isabella", "Lucía", "Daniela", "Gabriela", "Ximena", "Ana",
              "Yaritza", "Génesis", "Nayeli", "Mía", "Alejandra", "Paola", "Dayana", "Luz")
_H_FIRST_M = ("José", "Mateo", "Santiago", "Sebastián", "Diego", "Luis", "Carlos", "Miguel", "Ángel", "Jesús",
              "Julián", "Adrián", "Joel", "Yadiel", "Andrés", "Iván", "Héctor", "Ramón")
_H_LAST = ("Rodríguez", "García", "Hernández", "Martínez", "López", "González", "Pérez", "Sánchez", "Ramírez", "Torres",
           "Rivera", "Cruz", "De La Cruz", "De Jesús", "Peña", "Muñoz", "Ortiz", "Núñez", "Santiago", "Vázquez",
           "Rosario", "Figueroa", "Colón", "Castillo-Reyes", "Del Valle", "Batista", "Ibáñez")
_P_FIRST_F = ("Ana", "Beatriz", "Inês", "Leonor", "Gabriela", "Larissa", "Letícia", "Júlia", "Fernanda", "Carolina")
_P_FIRST_M = ("João", "Gonçalo", "Thiago", "Lucas", "Rafael", "Guilherme", "Vinícius", "Tomás", "Pedro", "Caio")
_P_LAST = ("Silva", "Santos", "Oliveira", "Pereira", "Costa", "Gonçalves", "Conceição", "Araújo", "Sousa", "Medeiros",
           "Da Silva", "Dos Santos", "Carvalho", "Ribeiro", "Magalhães")
_B_FIRST_F = ("Aaliyah", "Imani", "Nia", "Zuri", "Amara", "Kiara", "Jada", "Destiny", "Ayana", "Nyla", "Fatuma", "Hodan")
_B_FIRST_M = ("Jayden", "Malik", "Jamal", "Darius", "Isaiah", "Elijah", "Jalen", "Kofi", "Andre", "Xavier", "Abdi", "Mohamed")
_B_LAST = ("Johnson", "Williams", "Brown", "Jones", "Jackson", "Washington", "Thompson", "Robinson", "Harris",
           "Mensah", "Okafor", "Abdullahi", "Warsame", "Hassan", "Green-Wallace")
_HT_FIRST_F = ("Widelene", "Roselande", "Nadège", "Fabienne", "Mirlande", "Guerline", "Stéphanie", "Esther", "Naïka")
_HT_FIRST_M = ("Jean-Pierre", "Wilner", "Fritz", "Ronald", "Réginald", "Ricardo", "Jean-Baptiste", "Wesley", "Widmarc")
_HT_LAST = ("Jean-Baptiste", "Pierre", "Joseph", "Louis", "Charles", "Étienne", "Saint-Fleur", "Dorvil", "Célestin",
            "Augustin", "Toussaint", "Jean-Louis")
_CV_FIRST_F = ("Elisa", "Djeniffer", "Kátia", "Luana", "Nilda", "Sónia", "Ivanilda")
_CV_FIRST_M = ("Edson", "Kelvin", "Nelson", "Hélio", "Ailton", "Dany", "Cláudio")
_CV_LAST = ("Gomes", "Fernandes", "Mendes", "Tavares", "Lopes", "Monteiro", "Barros", "Semedo", "Furtado", "Andrade")
_V_FIRST_F = ("Linh", "Mai", "Anh", "Thảo", "Ngọc", "Trang", "Hương", "Vy")
_V_FIRST_M = ("Minh", "Huy", "Khang", "Bảo", "Duy", "Tuấn", "Quang", "Long")
_V_LAST = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Võ", "Huỳnh", "Bùi", "Đỗ")
_C_FIRST_F = ("Mei", "Xinyi", "Yuxin", "Jia", "Wen", "Lily", "Grace", "Yiling")
_C_FIRST_M = ("Wei", "Hao", "Jun", "Zhiyuan", "Kevin", "Ethan", "Yichen", "Bo")
_C_LAST = ("Chen", "Li", "Wang", "Zhang", "Liu", "Huang", "Lin", "Wu", "Zhou", "Chan", "Wong")
_A_FIRST_F = ("Fatima", "Mariam", "Layla", "Noor", "Yasmin", "Aya", "Salma", "Rania")
_A_FIRST_M = ("Mohammed", "Omar", "Ali", "Yusuf", "Ahmad", "Karim", "Hamza", "Khalil")
_A_LAST = ("Al-Hassan", "Abdel-Rahman", "Haddad", "Khoury", "Saleh", "Mansour", "El-Amin", "Nasser", "Al-Sayed")
_N_FIRST_F = ("Aiyana", "Kaya", "Winona", "Leilani", "Malia", "Keala")
_N_FIRST_M = ("Dakota", "Koa", "Makoa", "Kai", "Nakoma", "Tallis")
_N_LAST = ("Peters", "Hendricks", "Mahoe", "Kealoha", "Akana", "Wampanoag-Smith", "Jeffers")
_S_FIRST_F = ("Priya", "Ananya", "Riya", "Nusrat", "Tahmina")
_S_FIRST_M = ("Arjun", "Rohan", "Aarav", "Rahim", "Tanvir")
_S_LAST = ("Patel", "Sharma", "Rahman", "Hossain", "Das", "Chowdhury")

NAMES = {
    "hispanic": (_H_FIRST_F, _H_FIRST_M, _H_LAST),
    "hispanic_black": (_H_FIRST_F, _H_FIRST_M, _H_LAST),
    "white": (_W_FIRST_F, _W_FIRST_M, _W_LAST),
    "portuguese": (_P_FIRST_F, _P_FIRST_M, _P_LAST),
    "black": (_B_FIRST_F, _B_FIRST_M, _B_LAST),
    "haitian": (_HT_FIRST_F, _HT_FIRST_M, _HT_LAST),
    "capeverdean": (_CV_FIRST_F, _CV_FIRST_M, _CV_LAST),
    "vietnamese": (_V_FIRST_F, _V_FIRST_M, _V_LAST),
    "chinese": (_C_FIRST_F, _C_FIRST_M, _C_LAST),
    "arabic": (_A_FIRST_F, _A_FIRST_M, _A_LAST),
    "multi": (_W_FIRST_F + _B_FIRST_F, _W_FIRST_M + _B_FIRST_M, _W_LAST + _B_LAST),
    "native": (_N_FIRST_F, _N_FIRST_M, _N_LAST),
    "pacific": (_N_FIRST_F, _N_FIRST_M, _N_LAST),
    "south_asian": (_S_FIRST_F, _S_FIRST_M, _S_LAST),
}
MIDDLE_F = ("Marie", "Rose", "Elizabeth", "Ann", "Grace", "Isabel", "Guadalupe", "Lynn", "Nicole", "Renée", "Esperanza")
MIDDLE_M = ("James", "Alexander", "Michael", "Antonio", "Luis", "David", "Joseph", "Emmanuel", "José", "Lee", "Thomas")

STREETS = ("Main", "Elm", "Washington", "Maple", "Union", "Pleasant", "Highland", "Prospect", "Summer", "Winter", "Chestnut",
           "Broadway", "Centre", "Water", "School", "Park", "Spring", "Walnut", "Cedar", "Lincoln", "Franklin", "Adams")
STREET_SUFFIX = ("St", "Ave", "Rd", "Ter", "Pl", "Way", "Ct")
CITIES = ("Riverton", "Brookfield", "Millbury Falls", "Eastport", "Harborview", "Westbridge", "Fairhaven Park", "Lowell Point")
NAMESAKES = ("Adams", "Alcott", "Attucks", "Banneker", "Barton", "Bradford", "Carver", "Chávez", "Clemente", "Curie",
             "Dickinson", "Douglass", "DuBois", "Earhart", "Emerson", "Franklin", "Fuller", "Hale", "Hamilton", "Hancock",
             "Hawthorne", "Hughes", "Jefferson", "Keller", "Kennedy", "King", "Lincoln", "Longfellow", "Mann", "Mitchell",
             "Morrison", "Parks", "Revere", "Robinson", "Sacagawea", "Thoreau", "Truth", "Tubman", "Washington", "Wheatley")
NEIGHBORHOODS = ("", "North", "South", "East", "West", "Central", "Harbor", "Hillside", "Riverside", "Lakeview", "Oak Hill",
                 "Mill Pond", "Brook", "Green", "Union Square", "Highland")

SPED_PLACEMENTS = ("Full Inclusion", "Partial Inclusion", "Substantially Separate")
DISABILITIES = ("Specific Learning Disability", "Communication", "Autism", "Emotional", "Health", "Developmental Delay",
                "Intellectual", "Neurological", "Multiple Disabilities", "Sensory/Hearing", "Physical")
DISABILITY_WEIGHTS = (30, 16, 12, 9, 10, 8, 4, 5, 3, 2, 1)
SPED_LEVELS = ("Low < 2", "Low >= 2", "Moderate", "High")

ABSENCE_REASONS = (  # (reason, excused, weight)
    ("Illness", True, 40), ("Medical Appointment", True, 10), ("Family Emergency", True, 5),
    ("Religious Observance", True, 2), ("Bereavement", True, 1), ("Unexcused", False, 25),
    ("Vacation", False, 6), ("Suspension", False, 3), ("Truancy", False, 3),
)
TARDY_REASONS = (("Overslept", False, 30), ("Transportation", True, 25), ("Medical Appointment", True, 10),
                 ("Traffic", False, 20), ("Family", True, 5), ("", False, 20))
DISMISSAL_REASONS = (("Medical Appointment", True, 50), ("Illness", True, 35), ("Family", True, 15))
ATT_COMMENTS = ("", "", "", "", "Parent called", "Note from doctor", "Nurse dismissal", "Bus late", "Left message with guardian")

INCIDENT_CODES = (  # (code, weight, elementary ok)
    ("Disruption", 25, True), ("Disrespect", 15, True), ("Defiance", 12, True), ("Inappropriate Language", 10, True),
    ("Physical Aggression", 7, True), ("Fighting", 5, False), ("Bullying", 4, True), ("Technology Misuse", 6, False),
    ("Skipping Class", 6, False), ("Dress Code", 2, False), ("Vandalism", 2, True), ("Theft", 1, True),
    ("Harassment", 2, False), ("Substance", 1, False), ("Leaving School Grounds", 2, False),
)
LOCATIONS_ELEM = (("Classroom", 45), ("Hallway", 10), ("Cafeteria", 15), ("Playground", 18), ("Bus", 8), ("Bathroom", 4))
LOCATIONS_SEC = (("Classroom", 45), ("Hallway", 18), ("Cafeteria", 14), ("Bus", 6), ("Bathroom", 6), ("Gym", 5),
                 ("Parking Lot", 2), ("Library", 2), ("Stairwell", 2))
INCIDENT_TEXT = (
    "Refused to follow directions after several reminders.",
    "Called out repeatedly during instruction.",
    "Argued with a classmate; teacher separated them.",
    "Left class without permission.",
    "Used phone during instruction after warning.",
    "Pushed another student in line.",
    "Used inappropriate language toward a peer.",
    "Threw food during lunch.",
    "Did not stay in seat on the bus.",
    "Wrote on the desk.",
)
QUOTED_TEXT = (
    'Said "no" to teacher and walked out.',
    'Told peer "you can\'t sit here" repeatedly.',
    'Shouted "this is stupid" during the test.',
)
MULTILINE_TEXT = (
    "Incident in hallway.\nFollow-up call home scheduled.",
    "Student was upset after recess.\nCounselor notified.",
)
QUOTED_COMMENTS = ('Mom called, said "Junior" has the flu', 'Note says "family trip"', 'Dad: "car broke down"')
MULTILINE_COMMENTS = ("Parent called.\nWill bring doctor's note.", "Bus 14 late.\nExcused by office.")

RACE_CODES_PS = {"White": "W", "Black or African American": "B", "Asian": "A", "American Indian or Alaska Native": "I",
                 "Native Hawaiian or Other Pacific Islander": "P"}

_CP1252_FALLBACK = {"Đ": "D", "đ": "d"}


def cp1252_safe(text: str) -> str:
    """The closest text Windows-1252 can encode (Nguyễn -> Nguyen); unchanged when already encodable."""
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text:
        try:
            ch.encode("cp1252")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        if ch in _CP1252_FALLBACK:
            out.append(_CP1252_FALLBACK[ch])
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        try:
            base.encode("cp1252")
            out.append(base)
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


def ascii_fold(text: str) -> str:
    """Lowercase ASCII for logins and emails: José O’Brien -> joseobrien."""
    text = "".join(_CP1252_FALLBACK.get(c, c) for c in text)
    base = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in base.lower() if c.isalnum() or c == "-")
