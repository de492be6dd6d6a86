"""The offline engine's phrase library for therapeutic conversations.

User turns are built from concern-specific situations and feelings; assistant turns from
strategy-specific moves that follow the empathy response style: reflect, validate, explore with
open questions, support autonomy, never diagnose, and point to professional help where it fits.
"""

from __future__ import annotations

CONCERNS: dict[str, dict[str, list[str]]] = {
    "anxiety": {
        "situation": [
            "I have a presentation at work next week and I can't stop thinking about it",
            "my heart races every time I have to make a phone call",
            "I keep worrying that something bad will happen to my family",
            "I've started avoiding the supermarket because crowds make me panic",
            "I lie awake replaying every conversation I had during the day",
        ],
        "feeling": [
            "It feels like my chest is tight most of the day.",
            "I feel on edge all the time and I'm exhausted by it.",
            "I can't switch my mind off, even when nothing is wrong.",
            "I'm scared people can tell how nervous I am.",
        ],
        "detail": [
            "It started a few months ago and it's been getting worse.",
            "I've tried just pushing through, but the worry comes back stronger.",
            "My partner says I should relax, but I don't know how.",
            "Some days I cancel plans just so I don't have to feel it.",
        ],
    },
    "low mood": {
        "situation": [
            "I haven't felt like myself for a few weeks",
            "everything feels flat lately, even things I used to enjoy",
            "I've been struggling to get out of bed in the mornings",
            "I stopped going to my running club and I barely see friends now",
        ],
        "feeling": [
            "I feel heavy and tired, like I'm moving through fog.",
            "I just feel empty, and I don't really know why.",
            "I feel like I'm letting everyone down.",
            "Nothing seems to matter much at the moment.",
        ],
        "detail": [
            "I'm still going to work, but it takes everything I have.",
            "I keep telling people I'm fine because I don't want to worry them.",
            "Weekends are the hardest because there's no structure.",
            "I used to paint a lot and I haven't picked up a brush in months.",
        ],
    },
    "grief": {
        "situation": [
            "my mother died in the spring",
            "we lost our dog last month after fourteen years",
            "my best friend passed away suddenly in January",
            "my grandfather, who raised me, died a few weeks ago",
        ],
        "feeling": [
            "Some days I'm okay and then it hits me out of nowhere.",
            "I feel guilty whenever I laugh at something.",
            "The house feels so quiet and I don't know what to do with myself.",
            "I keep reaching for my phone to call before I remember.",
        ],
        "detail": [
            "Everyone else seems to have moved on already.",
            "I haven't been able to sort through any of the belongings yet.",
            "I didn't get to say goodbye properly, and that keeps coming back to me.",
            "The anniversary is coming up and I'm dreading it.",
        ],
    },
    "trauma": {
        "situation": [
            "I was in a car accident last year",
            "something happened to me years ago that I've never really talked about",
            "I witnessed an assault on my way home a few months ago",
            "I grew up in a house where there was a lot of shouting and fear",
        ],
        "feeling": [
            "Loud noises still make me jump and my body goes tense.",
            "I get flashbacks when I least expect them.",
            "I feel numb a lot of the time, like I'm watching my life from outside.",
            "I get on edge whenever someone raises their voice, even a little.",
        ],
        "detail": [
            "I avoid that part of town completely now.",
            "I've never told anyone the whole story.",
            "I thought it would fade with time, but it hasn't.",
            "I find it hard to trust people, even the ones who are kind to me.",
        ],
    },
    "relationships": {
        "situation": [
            "my partner and I keep having the same argument over and over",
            "I think my marriage might be ending",
            "my sister and I haven't spoken since a fight at a family dinner",
            "I always seem to end up in relationships where I give more than I get",
        ],
        "feeling": [
            "I feel like I'm never really heard.",
            "I'm hurt, and I'm also angry at myself for still caring so much.",
            "I feel lonely even when we're in the same room.",
            "I don't know whether to try again or let go.",
        ],
        "detail": [
            "We used to be able to talk about anything.",
            "Every time I bring it up it turns into a fight.",
            "My friends have opinions, but they only hear my side.",
            "I keep wondering what I could have done differently.",
        ],
    },
    "work stress": {
        "situation": [
            "my workload doubled after two colleagues left",
            "my manager criticises everything I do in front of the team",
            "I've been working late almost every night for months",
            "I was passed over for a promotion I worked really hard for",
        ],
        "feeling": [
            "I feel like I'm drowning and there's no end in sight.",
            "I dread Sunday evenings because Monday is coming.",
            "I feel like I'm not good enough, no matter how hard I try.",
            "I'm irritable with my family because I have nothing left by the evening.",
        ],
        "detail": [
            "I can't afford to just quit.",
            "I've stopped taking lunch breaks to keep up.",
            "I check my email as soon as I wake up, and it ruins the day before it starts.",
            "I used to love this job, which makes it harder.",
        ],
    },
    "sleep": {
        "situation": [
            "I can't fall asleep until three or four in the morning",
            "I wake up at four every morning and can't get back to sleep",
            "my sleep has been broken ever since the baby arrived",
            "I've been having vivid nightmares most nights",
        ],
        "feeling": [
            "I feel foggy and short-tempered all day.",
            "I'm starting to dread going to bed.",
            "I'm so tired that small things feel overwhelming.",
            "I feel like I'm running on empty.",
        ],
        "detail": [
            "I've tried cutting out coffee, but it didn't make much difference.",
            "I usually end up scrolling on my phone until I'm exhausted.",
            "My mind starts racing as soon as the lights go off.",
            "Naps during the day make the nights even worse.",
        ],
    },
    "substance use": {
        "situation": [
            "I've been drinking most evenings to unwind",
            "I'm smoking a lot more since I lost my job",
            "my friends say I've changed since I started using more at weekends",
            "I've tried to cut back on drinking a few times and it never lasts",
        ],
        "feeling": [
            "I'm worried it's becoming a habit I can't control.",
            "I feel ashamed the morning after.",
            "It's the only time I feel relaxed, and that scares me a little.",
            "Part of me wants to stop and part of me doesn't.",
        ],
        "detail": [
            "It started as a glass of wine with dinner.",
            "I hide how much I have from my partner.",
            "I've missed a few mornings at work because of it.",
            "I don't want to give it up completely, I just want to feel in control again.",
        ],
    },
    "self-esteem": {
        "situation": [
            "I compare myself to everyone around me",
            "I never feel good enough, whatever I achieve",
            "I can't accept compliments without brushing them off",
            "I pick apart everything I say after every conversation",
        ],
        "feeling": [
            "I feel like a fraud who is about to be found out.",
            "I'm really hard on myself, much harder than I'd be on anyone else.",
            "I feel invisible in groups.",
            "I feel like everyone else has it figured out except me.",
        ],
        "detail": [
            "Social media makes it a lot worse.",
            "My parents were very critical when I was growing up.",
            "When I do well, I tell myself it was luck.",
            "I apologise for things that aren't my fault.",
        ],
    },
    "loneliness": {
        "situation": [
            "I moved to a new city six months ago and I don't know anyone",
            "since I retired I go days without talking to anybody",
            "all my friends seem to be busy with their own families now",
            "I work from home and I feel cut off from everyone",
        ],
        "feeling": [
            "Evenings are the hardest, when it's quiet.",
            "I can go a whole week without anyone asking how I am.",
            "I want to reach out but I worry I'll be bothering people.",
            "I feel like I've forgotten how to make friends.",
        ],
        "detail": [
            "I tried a meetup once but left after ten minutes.",
            "I mostly talk to people through screens now.",
            "I used to be the one who organised everything.",
            "My family lives far away and calls are not the same.",
        ],
    },
}

OPENERS = ["Hi.", "Hello.", "I'm not sure where to start.", "Can I talk to you about something?", ""]

ACKNOWLEDGEMENTS = [
    "Thank you for telling me this.",
    "I'm really glad you reached out.",
    "Thank you for sharing something so personal.",
    "That took courage to put into words.",
]

REFLECTIONS = {
    "anxiety": [
        "It sounds like the worry has been taking up a lot of space and leaving you worn out.",
        "It sounds like your body is on high alert even when you'd like it to rest.",
    ],
    "low mood": [
        "It sounds like things have felt heavy and colourless for a while now.",
        "It sounds like you've been carrying this quietly, and it's taking a lot out of you.",
    ],
    "grief": [
        "It sounds like you're missing them deeply, and the loss keeps catching you off guard.",
        "It sounds like grief is arriving in waves, and some of them knock the wind out of you.",
    ],
    "trauma": [
        "It sounds like what happened is still living in your body, not just in your memory.",
        "It sounds like you've been protecting yourself for a long time, and that's exhausting.",
    ],
    "relationships": [
        "It sounds like you care a lot about this relationship and you're feeling unheard in it.",
        "It sounds like you're torn between hurt and hope.",
    ],
    "work stress": [
        "It sounds like work has been asking more of you than anyone could sustain.",
        "It sounds like you've been giving everything and it's leaving nothing for you.",
    ],
    "sleep": [
        "It sounds like the lack of sleep is wearing down everything else in your day.",
        "It sounds like nights have become something to dread rather than a rest.",
    ],
    "substance use": [
        "It sounds like you're noticing a pattern that worries you, and part of you wants things to change.",
        "It sounds like drinking or using has become a way to cope, and you're questioning what it costs you.",
    ],
    "self-esteem": [
        "It sounds like there's a very harsh voice inside that rarely lets you rest.",
        "It sounds like you hold yourself to a standard you'd never hold anyone else to.",
    ],
    "loneliness": [
        "It sounds like you're longing for connection and it's been hard to find.",
        "It sounds like the quiet has become heavy, and reaching out feels risky.",
    ],
}

VALIDATIONS = [
    "What you're feeling makes a lot of sense given what you've been going through.",
    "Many people in a similar situation feel this way, and it doesn't mean anything is wrong with you.",
    "It's understandable that this is weighing on you.",
    "Anyone carrying this much would feel the strain.",
]

OPEN_QUESTIONS = [
    "What has been the hardest part for you?",
    "When do you notice it most during the week?",
    "What have you tried so far, and how has it gone?",
    "What would feel different if things started to get a little better?",
    "Who in your life knows about what you're going through?",
]

STRATEGY_RESPONSES = {
    "reflection": [
        "So this has been building for a while, and you've mostly been carrying it on your own. That's a lot to hold at once.",
        "I'm hearing that this isn't only about one moment; it's been shaping your days for some time. It makes sense that it keeps pulling at you.",
    ],
    "validation": [
        "Of course this is hard. Your reaction is a very human one, and it shows how much this matters to you.",
        "It's completely understandable to feel this way. You're responding to a real strain, not overreacting.",
    ],
    "open_question": [
        "Thank you for explaining that. If you imagine a slightly better week, what would be different in it?",
        "That helps me understand. What do you think you need most right now: rest, company, or a plan?",
    ],
    "psychoeducation": [
        "Something that may help to know: when we are under strain for a long time, the body's stress response stays switched on, which can affect sleep, mood and concentration. It's a common reaction, not a personal failing.",
        "It can help to know that feelings like these often come in cycles: avoiding what is hard brings short-term relief but tends to make the feeling grow. Small, gradual steps towards it usually work better than waiting to feel ready.",
    ],
    "coping_plan": [
        "Would it help to think together about one small step for this week? Some people find it useful to set aside ten minutes a day to write down what's on their mind, or to plan one activity that used to bring them some ease. What feels doable for you?",
        "One option some people find helpful is a short routine for the hardest time of day: a walk, a call with someone they trust, or a breathing exercise such as breathing in for four counts and out for six. You know yourself best, so which of these, if any, feels worth trying?",
    ],
    "referral": [
        "It might also be worth talking this through with a GP or a licensed counsellor, who can offer support that fits your situation. Would you be open to that, or is there something that makes it hard to reach out?",
        "You deserve ongoing support with this. A licensed therapist could help you work through it at your own pace. If you'd like, we could think about what the first step towards finding one might look like.",
    ],
}

# Each closing acknowledges the second message and invites more (the EARS spec asks every reply for
# both; see docs/guides/EMPATHY_RESPONSE_STYLE.md).
CLOSINGS = [
    "That sounds really hard, and I'm glad you told me more. What feels most important to talk about next?",
    "It makes sense that this is weighing on you. How does that sit with you?",
    "I can hear how much this has been on your mind. What do you make of that?",
    "That's a lot to carry, and you don't have to sort it all out at once. What would you like to focus on first?",
    "Thank you for trusting me with that; it sounds exhausting. Would you like to say more about what that's been like?",
    "It sounds like this has been building for a while. What feels most pressing for you right now?",
    "I really appreciate you sharing that, it sounds painful. How are you feeling as we talk about it?",
    "That sounds like a heavy load to be holding. Where would you like to go from here?",
]

SEVERITIES = ["mild", "moderate", "significant"]
STRATEGIES = list(STRATEGY_RESPONSES)
