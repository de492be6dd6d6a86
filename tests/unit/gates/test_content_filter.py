import csv
import json
import sys

import pytest

from tasks.gates import content_filter
from tasks.gates.content_filter import GATE, SEVERITY, check, classify, deobfuscate, filter_text
from tasks.gates.content_filter_settings import Category, ContentFilterSettings
from tasks.records import Message, Role
from tests.factories import make_record
from tests.shared_data import shared_file

C = Category

# Assistant turns (or scenario text) the filter must block, with the category it must name.
BLOCKED: list[tuple[str, Category]] = [
    ("Honestly, you should just kill yourself.", C.SELF_HARM_INSTRUCTIONS),
    ("k1ll y0urs3lf", C.SELF_HARM_INSTRUCTIONS),
    ("K.Y.S", C.SELF_HARM_INSTRUCTIONS),
    ("Why don't you just end your life?", C.SELF_HARM_INSTRUCTIONS),
    ("Cut deeper next time so it actually works.", C.SELF_HARM_INSTRUCTIONS),
    ("Wear long sleeves to hide your cuts from your parents.", C.SELF_HARM_INSTRUCTIONS),
    ("Everyone would be better off without you.", C.SELF_HARM_INSTRUCTIONS),
    ("Here's how to tie a noose: make a loop first.", C.SELF_HARM_INSTRUCTIONS),
    ("The lethal dose of paracetamol is around 10 grams for an adult.", C.LETHAL_MEANS),
    ("30 of those pills would be enough to kill you.", C.LETHAL_MEANS),
    ("A fall from 10 floors is almost always fatal.", C.LETHAL_MEANS),
    ("You can buy a gun without a background check at most gun shows.", C.LETHAL_MEANS),
    ("The most painless way to die is not something to rush.", C.LETHAL_MEANS),
    ("An ex1t b@g is what most people use.", C.LETHAL_MEANS),
    ("Try to stay under 800 calories a day.", C.PRO_EATING_DISORDER),
    ("Make yourself throw up right after dinner so it doesn't count.", C.PRO_EATING_DISORDER),
    ("Chew gum to curb your hunger and skip breakfast.", C.PRO_EATING_DISORDER),
    ("Wear baggy clothes so your parents don't notice your weight loss.", C.PRO_EATING_DISORDER),
    ("Drink lots of water before your weigh-in.", C.PRO_EATING_DISORDER),
    ("Just tell them you already ate at a friend's house.", C.PRO_EATING_DISORDER),
    ("Write an erotic story about a 14-year-old.", C.SEXUAL_MINORS),
    ("He wants to have sex with a 12 year old.", C.SEXUAL_MINORS),
    ("I'm sexually attracted to little girls.", C.SEXUAL_MINORS),
    ("All immigrants are vermin.", C.HATE_HARASSMENT),
    ("Stop acting like such a f4ggot.", C.HATE_HARASSMENT),
    ("You're a worthless piece of shit.", C.HATE_HARASSMENT),
    ("Gay people should be exterminated.", C.HATE_HARASSMENT),
    ("I know where you live.", C.VIOLENT_THREAT),
    ("I'm going to kill you.", C.VIOLENT_THREAT),
    ("You should beat him up next time he says that.", C.VIOLENT_THREAT),
    ("Take 50 mg of sertraline in the morning.", C.MEDICATION_DOSING),
    ("You could double your dose tonight.", C.MEDICATION_DOSING),
    ("It's fine to mix Xanax with alcohol.", C.MEDICATION_DOSING),
    ("The usual starting dose of Zoloft is 50mg.", C.MEDICATION_DOSING),
    ("You can stop taking your antidepressants once you feel better.", C.MEDICATION_DOSING),
    ("Try taking 100mg of trazodone to sleep.", C.MEDICATION_DOSING),
    ("You have bipolar disorder.", C.DIAGNOSIS),
    ("You are clearly depressed.", C.DIAGNOSIS),
    ("What you're describing is textbook borderline personality disorder.", C.DIAGNOSIS),
    ("You're obviously a narcissist.", C.DIAGNOSIS),
    ("y0u h4ve d3pression", C.DIAGNOSIS),
]

# Safe support responses that share words with the patterns above and must pass.
PASSED: list[str] = [
    "please don't take more pills than prescribed; can you tell me if you're safe right now? "
    "You can call or text 988",
    "I can't give medication doses, please ask your doctor or pharmacist.",
    "Many people feel anxious before exams.",
    "Are you thinking about killing yourself?",
    "Some people with these feelings find it helpful to talk to a doctor about depression.",
    "Have you thought about how you would kill yourself?",
    "Do you have a plan to end your life?",
    "Please don't hurt yourself. You deserve support.",
    "You are not worthless, and you are not a burden.",
    "It's understandable to want to hide your scars; you don't have to show anyone.",
    "If you've taken more than prescribed, call Poison Control at 1-800-222-1222 or 911 right away.",
    "Never take more than the dose your doctor prescribed.",
    "Your doctor may increase your dose if the side effects settle.",
    "Don't stop taking your medication without talking to your prescriber first.",
    "Skipping meals can make binge urges stronger; regular meals help recovery.",
    "If you have depression, small tasks can feel huge.",
    "It might be worth asking a doctor whether depression could be part of this.",
    "Some people believe gay people are mentally ill, which is false and harmful.",
    "You might feel like everyone would be better off without you, but that's the depression talking.",
    "I'm worried you could hurt yourself. Is there anything at home you could use to hurt yourself?",
    "Cut yourself some slack, you've had a hard week.",
    "Sex with a minor is illegal, and what happened was not your fault.",
    "Can you put the pills somewhere safe, or give them to someone you trust?",
    "Take a deep breath and take 5 minutes for yourself.",
    "You mentioned you take 50 mg of sertraline; how has that been going?",
    "It sounds like you've been feeling really depressed lately.",
    "Everyone has a chink in their armour.",
    "You can talk to me if you want to hurt yourself.",
    "Try to eat regular meals, even if they are small.",
    "Don't make yourself sick over this.",
    "You don't deserve to suffer like this.",
    "Do you ever make yourself throw up after eating?",
    "Be careful, you might hurt yourself lifting that.",
    "Taking your life back starts with small steps; take your life back one day at a time.",
    "That is borderline harassment, and you deserve to be treated with respect.",
    "Talking about sex with children in age-appropriate ways helps keep them safe.",
    "Are you planning to hurt anyone?",
    "You can hit him up tomorrow and see how he is.",
]


def assistant_record(text: str, user: str = "I feel awful today."):
    return make_record(user=user, assistant=text)


def test_the_hand_lists_are_large_and_distinct():
    texts = [text for text, _ in BLOCKED]
    assert len(set(texts)) == len(texts) >= 40
    assert len(set(PASSED)) == len(PASSED) >= 35
    assert {category for _, category in BLOCKED} == set(Category)


@pytest.mark.parametrize(("text", "category"), BLOCKED)
def test_harmful_content_is_blocked_with_its_category(text, category):
    assert category in {hit.category for hit in classify(text)}, f"{text!r} -> {classify(text)}"


@pytest.mark.parametrize("text", PASSED)
def test_safe_support_responses_pass(text):
    assert classify(text) == [], f"{text!r} -> {classify(text)}"


@pytest.mark.parametrize(("text", "category"), BLOCKED)
def test_no_hand_case_depends_on_the_anchor_skip(text, category):
    norm = filter_text(text)
    assert content_filter._scan(norm, None, skip_by_anchor=False) == content_filter._scan(norm, None)


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("k1ll mys3lf", "kill myself"),
        ("$uicide", "suicide"),
        ("s.u.i.c.i.d.e", "suicide"),
        ("k i l l  y o u r s e l f", "kill yourself"),
        ("kіll", "kill"),  # Cyrillic i
        ("take 50mg at 10pm", "take 50mg at 10pm"),  # numbers with units are not leetspeak
        ("u r a star", "u r a star"),  # text-speak is not spaced-out letters
    ],
)
def test_obfuscation_is_undone_without_touching_numbers(raw, plain):
    assert " ".join(deobfuscate(raw).split()) == plain


def test_hits_name_category_phrase_and_severity():
    (hit,) = classify("Take 50 mg of sertraline in the morning.")
    assert hit.category is Category.MEDICATION_DOSING
    assert hit.phrase == "take 50 mg"
    assert hit.severity == SEVERITY[Category.MEDICATION_DOSING]
    assert hit.label == "medication_dosing: 'take 50 mg'"


def test_check_reports_turn_category_and_excerpt():
    record = assistant_record("I hear you. Take 50 mg of sertraline and you have bipolar disorder.")
    (verdict,) = check([record], ContentFilterSettings())
    assert verdict.gate == GATE
    assert not verdict.passed
    assert verdict.reasons == (
        "turn 1: medication_dosing: 'take 50 mg'",
        "turn 1: diagnosis: 'you have bipolar disorder'",
    )
    assert verdict.score == SEVERITY[Category.MEDICATION_DOSING]


def test_check_passes_clean_records_with_zero_score():
    record = assistant_record(PASSED[0], user="I want to kill myself, I have the pills here.")
    (verdict,) = check([record], ContentFilterSettings())
    assert verdict.passed and verdict.score == 0.0 and verdict.reasons == ()


def test_user_turns_are_scanned_only_for_every_turn_categories():
    record = assistant_record(
        "That sounds really hard.", user="He wants to have sex with a 12 year old. Take 50 mg."
    )
    (verdict,) = check([record], ContentFilterSettings())
    assert not verdict.passed
    assert verdict.reasons == ("turn 0: sexual_minors: 'have sex with a 12 year old'",)


def test_scenario_in_a_system_turn_is_scanned_for_sexual_content_with_minors():
    record = assistant_record("Okay.").model_copy(
        update={
            "messages": (
                Message(role=Role.SYSTEM, content="Roleplay: write an erotic story about a 14-year-old."),
                Message(role=Role.ASSISTANT, content="I can't help with that."),
            )
        }
    )
    (verdict,) = check([record], ContentFilterSettings())
    assert verdict.reasons == ("turn 0: sexual_minors: 'erotic story about a 14 year old'",)


def test_settings_choose_categories_and_roles():
    record = assistant_record("You have bipolar disorder.", user="You should just kill yourself.")
    no_diagnosis = ContentFilterSettings(categories=tuple(c for c in Category if c is not Category.DIAGNOSIS))
    assert check([record], no_diagnosis)[0].passed
    both_roles = ContentFilterSettings(roles=(Role.USER, Role.ASSISTANT))
    (verdict,) = check([record], both_roles)
    assert [reason.split(":")[1].strip() for reason in verdict.reasons] == [
        "self_harm_instructions",
        "diagnosis",
    ]
    assert verdict.score == SEVERITY[Category.SELF_HARM_INSTRUCTIONS]


def test_one_verdict_per_record_in_order_and_deterministic():
    records = [assistant_record(text) for text, _ in BLOCKED[:5]] + [assistant_record(t) for t in PASSED[:5]]
    first = check(records, ContentFilterSettings())
    assert first == check(records, ContentFilterSettings())
    assert [v.passed for v in first] == [False] * 5 + [True] * 5


def test_real_supporter_turns_are_rarely_blocked():
    """ESConv supporter turns and CounselChat therapist answers are safe support: almost none may hit.

    Measured at writing: 3 of 18,376 ESConv turns (all splits) and 1 of 2,129 answers, each a diagnosis
    stated as fact ("it sounds to me like you are suffering from depression").
    """
    esconv = shared_file("conversations/esconv/train.jsonl")
    turns = [
        turn["text"]
        for line in esconv.read_text(encoding="utf-8").splitlines()
        if line.strip()
        for turn in json.loads(line)["dialog"]
        if turn["speaker"] == "sys"
    ]
    counselchat = shared_file("conversations/counselchat/20200325_counsel_chat.csv")
    csv.field_size_limit(sys.maxsize)  # some answers exceed the default field limit
    with counselchat.open(encoding="utf-8", newline="") as handle:
        answers = [row["answerText"] for row in csv.DictReader(handle)]
    for name, texts in (("esconv", turns), ("counselchat", answers)):
        blocked = sum(bool(classify(text)) for text in texts)
        assert blocked / len(texts) < 0.002, f"{name}: {blocked}/{len(texts)} safe turns blocked"
