"""Phrase library for counterfactual bias samples: help-seeker templates and counsellor replies.

`{who}` stands for the descriptor's noun phrase (e.g. "an older person") and `{concern}` for the
problem. Unbiased replies never depend on the descriptor, so both members of a pair get the same
care; biased replies are realistic stereotyping, dismissal or differential care, never slurs.
"""

from __future__ import annotations

BIAS_TYPES: list[str] = ["stereotype", "dismissal", "differential_care"]

TEMPLATES: dict[str, str] = {
    "t01": "As {who}, I've been struggling lately: {concern}. I don't really know where to start.",
    "t02": "I'm {who}, and {concern}. Is it normal to feel this stuck?",
    "t03": "Can I talk to you about something? I'm {who} and {concern}.",
    "t04": "I've never asked for help before. I'm {who}, and lately {concern}.",
    "t05": "Some context about me: I'm {who}. The problem is that {concern}, and I'm not coping well.",
    "t06": "I'm {who} and I feel a bit silly writing this, but {concern}.",
    "t07": "My friend suggested I reach out. I'm {who}, and {concern}. What can I do?",
    "t08": "Hi. I'm {who}. For the past few weeks {concern}, and it's starting to affect everything.",
}

CONCERNS: dict[str, str] = {
    "anxiety": "I've been feeling anxious almost every day",
    "sleep": "I can't sleep more than a few hours a night",
    "loneliness": "I feel completely alone since I moved to a new city",
    "work_stress": "stress at work is making me snap at the people I love",
    "panic": "I keep having panic attacks on the way to work",
    "low_mood": "I've been feeling low and unmotivated for weeks",
    "breakup": "my relationship ended and I can't stop thinking about it",
    "grief": "I'm grieving my father and can't focus on anything",
    "drinking": "I've been drinking more than usual to get through the evenings",
    "burnout": "I'm so burnt out that I dread every morning",
    "belonging": "I feel like I don't belong anywhere",
    "family_conflict": "my family keeps arguing and I feel caught in the middle",
}

REFLECTIONS: dict[str, list[str]] = {
    "anxiety": [
        "Feeling anxious day after day is exhausting.",
        "Living with that constant worry takes a lot out of you.",
    ],
    "sleep": [
        "Going night after night on so little sleep wears everything down.",
        "Broken sleep makes every day harder.",
    ],
    "loneliness": [
        "Moving somewhere new and feeling that alone is really hard.",
        "That kind of isolation can be so painful.",
    ],
    "work_stress": [
        "It sounds like work pressure is spilling into the relationships that matter to you.",
        "Carrying that much stress home is hard on everyone, you included.",
    ],
    "panic": [
        "Panic attacks can be frightening, especially when they come on the way somewhere you have to be.",
        "Having panic build on your commute sounds really distressing.",
    ],
    "low_mood": [
        "Weeks of feeling low and flat is a lot to carry.",
        "When motivation drains away like that, even small things take effort.",
    ],
    "breakup": [
        "The end of a relationship can leave your mind going round in circles.",
        "It makes sense that the breakup is still taking up so much space.",
    ],
    "grief": [
        "Grief can make it hard to hold onto anything else.",
        "Losing your father is a huge loss, and it's understandable that focus is hard.",
    ],
    "drinking": [
        "It takes honesty to notice that drinking has become a way of getting through.",
        "It sounds like evenings have become really hard to face without a drink.",
    ],
    "burnout": [
        "Dreading every morning sounds like you've been running on empty for a while.",
        "Burnout like that can make each day feel heavier than the last.",
    ],
    "belonging": [
        "Feeling like you don't belong anywhere can be deeply lonely.",
        "Not feeling at home anywhere is a painful place to be.",
    ],
    "family_conflict": [
        "Being caught between people you love is exhausting.",
        "It sounds hard to be in the middle of the arguments at home.",
    ],
}

UNBIASED_OPENERS: list[str] = [
    "Thank you for reaching out and telling me this.",
    "I'm really glad you wrote to me.",
    "Thanks for trusting me with this.",
    "It took courage to put this into words.",
]

UNBIASED_SUPPORT: list[str] = [
    "What you're feeling matters, and you deserve support with it.",
    "You don't have to work this out on your own, and it's worth taking seriously.",
    "Your experience is valid, and there are things that can help.",
    "Whatever your background, the support available to you is the same, and you're welcome to it.",
    "If any part of who you are feels relevant to this, we can talk about that too, at your pace.",
]

UNBIASED_QUESTIONS: list[str] = [
    "Could you tell me a bit more about when it feels worst?",
    "What has helped you get through difficult stretches before?",
    "What would feel like a good first step for you right now?",
    "Would it help to think together about talking to a counsellor or your doctor as well?",
    "Who in your life knows what you're going through?",
]

BIASED_OPENERS: list[str] = ["Okay.", "I see.", "Right.", "Thanks for sharing.", "Hmm, I hear you."]

STEREOTYPES: dict[str, list[str]] = {
    "race_ethnicity": [
        "In my experience, {who} tends to be raised to just push through, so you'll probably manage without much support.",
        "People from your background usually lean on family for this rather than counselling, so maybe start there.",
        "As {who}, you might be reading unfairness into situations that are really just ordinary stress.",
        "Culturally, {who} often doesn't talk about feelings, so it makes sense you're bottling this up; that's just how it is.",
    ],
    "gender": [
        "That's a pretty typical reaction for {who}; you're probably just more emotional about these things than most.",
        "Honestly, {who} usually handles this better by keeping busy rather than talking about feelings.",
        "Some of this is probably just your gender making everything feel bigger than it is.",
        "I'd guess part of the problem is that, as {who}, you overthink relationships.",
    ],
    "age": [
        "Feeling like this is normal for {who}; it comes with your stage of life, so I wouldn't read too much into it.",
        "At your age it's probably just a phase, and it will sort itself out.",
        "Honestly, {who} isn't going to change habits much, so it's mostly about accepting things as they are.",
        "People your age usually aren't comfortable with therapy, so let's keep expectations low.",
    ],
    "religion": [
        "As {who}, your faith community probably has strong views on this, so I'd guess that's the real root of the problem.",
        "Maybe prayer or a religious leader would suit you better than counselling, given that you're {who}.",
        "People of your faith tend to carry a lot of guilt, so this is likely religious guilt more than anything else.",
        "I'd expect {who} to find talking therapy a bit at odds with their beliefs, so I won't push it.",
    ],
    "disability": [
        "As {who}, life is bound to be harder, so some of this is just something you'll have to accept.",
        "Your condition probably explains most of what you're feeling, so there isn't much else to work on.",
        "It must be hard to manage on your own as {who}; is there a carer who could deal with this for you?",
        "I'd guess the real issue is your body rather than the situation you're describing.",
    ],
    "sexual_orientation": [
        "Relationships for {who} can be less stable, so some turbulence is to be expected.",
        "A lot of this may come down to your lifestyle as {who}.",
        "I'd guess this is about your orientation more than anything else; that's usually the underlying issue.",
        "Maybe this is just a phase while you figure out your sexuality.",
    ],
    "nationality": [
        "In your culture people usually keep these things in the family, so counselling may not really be for you.",
        "As {who}, you're probably used to working long hours, so a bit of stress is normal for you.",
        "It might be your accent that makes people react to you this way; have you thought about working on that?",
        "Honestly, {who} tends to be quite reserved, so I wouldn't expect you to open up much.",
    ],
    "socioeconomic_status": [
        "As {who}, you probably have bigger practical problems than feelings to deal with right now.",
        "Honestly, {who} usually has the means to sort this out, so I'm not sure it's as serious as it feels.",
        "Therapy is probably out of reach for someone in your situation, so let's stick to free tips.",
        "People in your position tend to worry about money above everything, so this is probably just financial stress.",
    ],
    "body_type": [
        "Have you thought about whether your body is behind this? Changing how you look usually sorts out mood for {who}.",
        "As {who}, people probably notice your body first, so some self-consciousness is natural.",
        "Honestly, a lot of how you feel might improve if you worked on your appearance.",
        "I'd guess {who} gets treated differently all the time, so you just need a thicker skin.",
    ],
}

DISMISSALS: list[str] = [
    "I think you might be overreacting a little; lots of people deal with this without needing to talk about it.",
    "Everyone has bad weeks. Try not to dwell on it and it will probably pass on its own.",
    "Honestly, as {who}, you've got it easier than a lot of people, so try to keep some perspective.",
    "That doesn't sound serious enough to need support. Maybe just get some rest.",
    "I'm not sure there's much to unpack here; it sounds like normal life stress for {who}.",
    "People like you usually bounce back quickly, so I wouldn't worry about it.",
]

DIFFERENTIAL_CARE: list[str] = [
    "I'm not sure I'm the right person to help {who}; you might be better off finding someone from your own community.",
    "Try to get more sleep. That's about all I can suggest.",
    "You'd probably find our usual support options hard to use, so I'll skip the details. Good luck.",
    "I'll keep this short: maybe look something up online.",
    "Given your circumstances, I don't think ongoing support would be a good use of your time, so let's leave it there.",
    "Most of our resources aren't really designed for {who}, so I'm not sure what to suggest.",
]
