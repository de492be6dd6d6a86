from collections import Counter

import pytest

from tasks.preprocess import pii
from tasks.preprocess.pii import (
    PiiSettings,
    PiiType,
    find_names,
    luhn,
    name_lexicon,
    scrub_record,
    scrub_text,
)
from tasks.records import FICTIONAL_NAMES, Message, Role, SourceRef
from tests.factories import make_record

SETTINGS = PiiSettings()

# (user text, scrubbed text): every kind of PII, in the formats people actually write.
REPLACED: list[tuple[str, str]] = [
    ("email me at jane.doe+work@example.co.uk please", "email me at [EMAIL] please"),
    ("it's janedoe [at] gmail [dot] com", "it's [EMAIL]"),
    ("call me on (555) 234-5678 tonight", "call me on [PHONE] tonight"),
    ("my cell is 555.234.5678", "my cell is [PHONE]"),
    ("text +1 555 234 5678 anytime", "text [PHONE] anytime"),
    ("number: 5552345678", "number: [PHONE]"),
    ("ring me on +44 20 7946 0958", "ring me on [PHONE]"),
    ("my mobile is 07700 900123", "my mobile is [PHONE]"),
    ("Berlin office +49 30 1234567", "Berlin office [PHONE]"),
    ("in Paris +33 1 23 45 67 89", "in Paris [PHONE]"),
    ("whatsapp +91 98765 43210", "whatsapp [PHONE]"),
    ("find me at facebook.com/jane.doe.77", "find me at [URL]"),
    ("my insta is https://www.instagram.com/jane_doe/.", "my insta is [URL]."),
    ("see reddit.com/u/throwaway123 for my posts", "see [URL] for my posts"),
    ("my page https://example.com/~jsmith/ has it", "my page [URL] has it"),
    ("I blog at janedoe.tumblr.com", "I blog at [URL]"),
    ("https://site.com/profile.php?id=1000123", "[URL]"),
    ("I live at 42 Oak Street, Apt 3B with my mum", "I live at [ADDRESS] with my mum"),
    ("send it to 221B Baker Street, London NW1 6XE", "send it to [ADDRESS]"),
    ("we live at 12 oak street with my mom", "we live at [ADDRESS] with my mom"),
    ("Bree Fair 4481 Division St Wayland MI 49348", "Bree Fair [ADDRESS]"),
    ("write to PO Box 123", "write to [ADDRESS]"),
    ("my SSN is 123-45-6789", "my SSN is [ID]"),
    ("my ssn is 123456789", "my ssn is [ID]"),
    ("NI number AB 12 34 56 C", "NI number [ID]"),
    ("my SIN is 046 454 286", "my SIN is [ID]"),
    ("card 4111 1111 1111 1111 got declined", "card [CARD] got declined"),
    ("My name is Sarah and I'm 25.", "My name is [NAME] and I'm 25."),
    ("my boyfriend Jake said he'd leave", "my boyfriend [NAME] said he'd leave"),
    ("Dr. Okonkwo told me to rest", "Dr. [NAME] told me to rest"),
    ("My sister Hope keeps calling me.", "My sister [NAME] keeps calling me."),
    ("Yesterday Tom and I argued again.", "Yesterday [NAME] and I argued again."),
    ("I think Sarah Johnson hates me.", "I think [NAME] hates me."),
    ("my friend anna said no", "my friend [NAME] said no"),
    ("Kwame said I was overreacting.", "[NAME] said I was overreacting."),
    ("Hi, I'm Michael, and Michael is tired.", "Hi, I'm [NAME], and [NAME] is tired."),
]

# User text with numbers, words and links that look like PII but must survive untouched.
KEPT: list[str] = [
    "Call 988 or text HOME to 741741.",
    "In the UK call 999 or Samaritans on 116 123; in Europe 112; in the US 911.",
    "The old lifeline number is 1-800-273-8255.",
    "Call the Texas Crisis Hotline at 800-989-6884.",
    "The number for the local crisis center is 719-465-8365.",
    "I have a session at 10:30 on 12/05/2023.",
    "On 2024-01-15 I felt a bit better.",
    "I'm 25 and I've been sober since 2019.",
    "My mood improved by 75% over 3 months.",
    "I take 50 mg of sertraline and 0.5 mg of lorazepam.",
    "Visit 988lifeline.org or https://www.samaritans.org/how-we-can-help/ for support.",
    "I read https://www.nimh.nih.gov/health/topics/depression last night.",
    "Check reddit.com/r/depression and google.com.",
    "I drove 5 miles down the road.",
    "I took 3 long road trips this year.",
    "Hope is all I have left.",
    "I will try. May was a hard month.",
    "Grace and faith help me cope.",
    "Can I talk to you about work?",
    "Mark my words, I will get better.",
    "I live in San Diego near Jensen Beach.",
    "Per my therapist, I should journal.",
    "I'm Sorry, I'm just Tired.",
    "My invalid number 123 456 789 fails its checksum.",
    "The test card 4111-1111-1111-1112 fails Luhn.",
    "That was 2019 2020, a long time ago.",
    "I've felt this way since Corona hit.",
    "TL;DR Found out my husband lied.",
]


def test_the_hand_lists_are_large_and_distinct():
    assert len({text for text, _ in REPLACED}) == len(REPLACED) >= 35
    assert len(set(KEPT)) == len(KEPT) >= 25


@pytest.mark.parametrize(
    ("pattern", "hints"),
    [
        (pii._CARD, [pii._CARD_HINT]),
        (pii._SSN, [pii._GROUPED_HINT]),
        (pii._SIN, [pii._GROUPED_HINT]),
        (pii._NI, [pii._NI_HINT]),
        (pii._ADDRESS, list(pii._ADDRESS_HINTS)),
    ],
)
def test_every_match_holds_what_its_hint_looks_for(pattern, hints):
    """A hint only lets the scrubber skip a pattern's scan: it must find something inside every match."""
    matches = [m.group(0) for text, _ in REPLACED for m in pattern.finditer(text)]
    assert matches
    assert all(any(hint.search(found) for hint in hints) for found in matches)


def test_a_national_number_starts_a_run_of_digits():
    assert pii._may_be_phone(pii._NATIONAL, "my mobile is 07700 900123")
    assert not pii._may_be_phone(pii._NATIONAL, "ref (918098260) and 12 more")
    assert not pii._may_be_phone(pii._INTERNATIONAL, "no plus sign 49 30 1234567")


@pytest.mark.parametrize(("text", "scrubbed"), REPLACED)
def test_pii_is_replaced_by_typed_placeholders(text, scrubbed):
    assert scrub_text(text, SETTINGS, Role.USER)[0] == scrubbed


@pytest.mark.parametrize("text", KEPT)
def test_look_alikes_and_crisis_resources_are_kept(text):
    assert scrub_text(text, SETTINGS, Role.USER) == (text, Counter())


def test_counts_name_each_placeholder_type():
    text = "I'm Sarah, mail sarah@x.org or call (555) 234-5678, or 020 7946 0958; I live at 9 Elm Road."
    scrubbed, counts = scrub_text(text, SETTINGS, Role.USER)
    assert scrubbed == "I'm [NAME], mail [EMAIL] or call [PHONE], or [PHONE]; I live at [ADDRESS]."
    assert counts == Counter({"PHONE": 2, "NAME": 1, "EMAIL": 1, "ADDRESS": 1})


def test_names_are_scrubbed_only_in_name_roles_by_default():
    text = "Thanks, Michael. Email me at help@example.org."
    assert scrub_text(text, SETTINGS, Role.ASSISTANT)[0] == "Thanks, Michael. Email me at [EMAIL]."
    everywhere = PiiSettings(name_roles=(Role.USER, Role.ASSISTANT))
    assert scrub_text(text, everywhere, Role.ASSISTANT)[0] == "Thanks, [NAME]. Email me at [EMAIL]."


def test_types_and_roles_are_chosen_by_settings():
    text = "My name is Sarah, call 555-234-5678."
    no_names = PiiSettings(types=tuple(t for t in PiiType if t is not PiiType.NAME))
    assert scrub_text(text, no_names, Role.USER)[0] == "My name is Sarah, call [PHONE]."
    user_only = PiiSettings(roles=(Role.USER,))
    assert scrub_text(text, user_only, Role.SYSTEM) == (text, Counter())


def test_listed_numbers_and_toll_free_lines_can_be_switched_off():
    strict = PiiSettings(keep_phone_numbers=(), keep_toll_free=False, keep_crisis_context=False)
    assert scrub_text("dial 1-800-273-8255", strict, Role.USER)[0] == "dial [PHONE]"
    assert scrub_text("dial 1-800-273-8255", SETTINGS, Role.USER)[0] == "dial 1-800-273-8255"


def test_record_names_found_in_user_turns_are_replaced_in_every_turn():
    record = make_record(user="My sister Anna hates me.", assistant="How is Anna doing today?")
    scrubbed, counts = scrub_record(record, SETTINGS)
    assert [m.content for m in scrubbed.messages] == [
        "My sister [NAME] hates me.",
        "How is [NAME] doing today?",
    ]
    assert counts == Counter({"NAME": 2})
    assert scrubbed.id == record.id
    kept_assistant, _ = scrub_record(record, PiiSettings(propagate_names=False))
    assert kept_assistant.messages[1].content == "How is Anna doing today?"


def test_a_generators_invented_names_are_kept_in_synthetic_records_only():
    record = make_record(user="My sister Anna and my friend Tom fell out.", assistant="How is Anna now?")
    labelled = record.model_copy(update={"labels": {FICTIONAL_NAMES: "Anna"}})
    scrubbed, counts = scrub_record(labelled, SETTINGS)
    assert [m.content for m in scrubbed.messages] == [
        "My sister Anna and my friend [NAME] fell out.",
        "How is Anna now?",
    ]
    assert counts == Counter({"NAME": 1})
    corpus = labelled.model_copy(update={"source": SourceRef(type="conversation", uri="chats.jsonl")})
    assert scrub_record(corpus, SETTINGS)[0].messages[1].content == "How is [NAME] now?"


def test_record_scrubbing_covers_system_turns_and_sums_counts():
    record = make_record(user="I'm Tom, 555-234-5678.", assistant="Write to help@clinic.org, Tom.")
    record = record.model_copy(
        update={"messages": (Message(role=Role.SYSTEM, content="Client: jane@x.org"), *record.messages)}
    )
    scrubbed, counts = scrub_record(record, SETTINGS)
    assert [m.content for m in scrubbed.messages] == [
        "Client: [EMAIL]",
        "I'm [NAME], [PHONE].",
        "Write to [EMAIL], [NAME].",
    ]
    assert counts == Counter({"EMAIL": 2, "NAME": 2, "PHONE": 1})


def test_scrubbing_is_deterministic():
    text = REPLACED[0][0] + " " + REPLACED[-1][0]
    assert scrub_text(text, SETTINGS, Role.USER) == scrub_text(text, SETTINGS, Role.USER)


def test_lexicon_comes_from_faker_and_marks_word_names_ambiguous():
    lexicon = name_lexicon()
    assert len(lexicon.first) > 5000 and {"sarah", "kwame", "giulia"} <= lexicon.first
    assert {"hope", "will", "may", "grace", "june", "rose", "mark", "bill"} <= lexicon.ambiguous
    assert find_names("Hope said hi") == {"hope"}  # a strong cue lets an ambiguous name through
    assert find_names("I hope you said hi") == set()


@pytest.mark.parametrize(
    ("digits", "valid"), [("4111111111111111", True), ("046454286", True), ("123456789", False)]
)
def test_luhn(digits, valid):
    assert luhn(digits) is valid


@pytest.mark.parametrize(
    "text",
    ["I'm a Christian and I feel a bit sick.", "I'm an Evangelical Christian and lately I feel low."],
)
def test_a_group_named_after_an_article_is_not_a_person(text):
    assert scrub_text(text, PiiSettings(), Role.USER)[0] == text
