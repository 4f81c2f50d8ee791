"""The Global Compact for Safe, Orderly and Regular Migration (A/RES/73/195).

Official objective titles (para. 16) and guiding principles (para. 15), loaded by a
data migration. Short labels are ours, for facets and chips.
"""

OBJECTIVES = [
    (1, "Collect and utilize accurate and disaggregated data as a basis for evidence-based policies", "Data"),
    (
        2,
        "Minimize the adverse drivers and structural factors that compel people to leave their country of origin",
        "Drivers of migration",
    ),
    (3, "Provide accurate and timely information at all stages of migration", "Information"),
    (
        4,
        "Ensure that all migrants have proof of legal identity and adequate documentation",
        "Legal identity and documents",
    ),
    (5, "Enhance availability and flexibility of pathways for regular migration", "Regular pathways"),
    (
        6,
        "Facilitate fair and ethical recruitment and safeguard conditions that ensure decent work",
        "Fair recruitment and decent work",
    ),
    (7, "Address and reduce vulnerabilities in migration", "Vulnerabilities"),
    (
        8,
        "Save lives and establish coordinated international efforts on missing migrants",
        "Saving lives, missing migrants",
    ),
    (9, "Strengthen the transnational response to smuggling of migrants", "Smuggling"),
    (
        10,
        "Prevent, combat and eradicate trafficking in persons in the context of international migration",
        "Trafficking",
    ),
    (11, "Manage borders in an integrated, secure and coordinated manner", "Border management"),
    (
        12,
        "Strengthen certainty and predictability in migration procedures for appropriate screening, assessment and referral",
        "Screening and referral",
    ),
    (
        13,
        "Use migration detention only as a measure of last resort and work towards alternatives",
        "Alternatives to detention",
    ),
    (
        14,
        "Enhance consular protection, assistance and cooperation throughout the migration cycle",
        "Consular protection",
    ),
    (15, "Provide access to basic services for migrants", "Basic services"),
    (
        16,
        "Empower migrants and societies to realize full inclusion and social cohesion",
        "Inclusion and social cohesion",
    ),
    (
        17,
        "Eliminate all forms of discrimination and promote evidence-based public discourse to shape perceptions of migration",
        "Non-discrimination, public discourse",
    ),
    (
        18,
        "Invest in skills development and facilitate mutual recognition of skills, qualifications and competences",
        "Skills and recognition",
    ),
    (
        19,
        "Create conditions for migrants and diasporas to fully contribute to sustainable development in all countries",
        "Diaspora and development",
    ),
    (
        20,
        "Promote faster, safer and cheaper transfer of remittances and foster financial inclusion of migrants",
        "Remittances",
    ),
    (
        21,
        "Cooperate in facilitating safe and dignified return and readmission, as well as sustainable reintegration",
        "Return and reintegration",
    ),
    (
        22,
        "Establish mechanisms for the portability of social security entitlements and earned benefits",
        "Social security portability",
    ),
    (
        23,
        "Strengthen international cooperation and global partnerships for safe, orderly and regular migration",
        "International cooperation",
    ),
]

# (slug, name, ordering as listed in para. 15)
GUIDING_PRINCIPLES = [
    ("people-centred", "People-centred"),
    ("international-cooperation", "International cooperation"),
    ("national-sovereignty", "National sovereignty"),
    ("rule-of-law-and-due-process", "Rule of law and due process"),
    ("sustainable-development", "Sustainable development"),
    ("human-rights", "Human rights"),
    ("gender-responsive", "Gender-responsive"),
    ("child-sensitive", "Child-sensitive"),
    ("whole-of-government-approach", "Whole-of-government approach"),
    ("whole-of-society-approach", "Whole-of-society approach"),
]
