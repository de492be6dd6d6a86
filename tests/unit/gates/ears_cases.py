"""Hand-written EARS cases: (seeker turn, reply) pairs that clearly fail or clearly meet the spec.

Written for this project, not excerpted from any data set and not taken from the synthesis package.
The training script never reads them, so they are a held-out check of the whole gate.
"""

# Replies showing no empathy, one family per block: each must be rejected.
NON_EMPATHIC: tuple[tuple[str, str], ...] = (
    # dismissive / minimising
    ("My dog died last week and I can't stop crying.", "It was just a dog. You can always get another one."),
    ("I failed my exam and I feel like a total failure.", "Just get over it, it's only one exam."),
    ("I've been feeling really lonely since I moved.", "Others have it much worse than you, honestly."),
    ("I lost my job today and I'm scared.", "At least you have savings. Lots of people don't."),
    ("My anxiety has been through the roof lately.", "Don't worry, everything will be fine. Relax."),
    ("I keep thinking about the breakup.", "It's not a big deal, plenty of fish in the sea. Move on."),
    ("I'm so stressed about my thesis.", "Everyone goes through this. Stop overthinking it."),
    ("I feel like nobody at work respects me.", "You're being too sensitive about this, it's in your head."),
    # lecturing
    (
        "I can't sleep and I'm exhausted all the time.",
        "Sleep hygiene is essential. Adults need seven to nine hours. Avoid screens an hour before bed, keep "
        "the room cool, cut caffeine after noon and wake at the same time every day, including weekends.",
    ),
    (
        "I've been drinking more since the divorce.",
        "Alcohol is a depressant and it disrupts sleep architecture. Studies show that heavy drinking raises "
        "the risk of liver disease, heart problems and depression. The guideline is fourteen units a week.",
    ),
    (
        "I get panic attacks on the train.",
        "Panic attacks are caused by the fight-or-flight response. Adrenaline raises your heart rate and "
        "breathing speeds up. They are not dangerous and usually peak within ten minutes.",
    ),
    # judgemental / blaming
    ("I cheated on my partner and now she's gone.", "Well, that's your own fault. What did you expect?"),
    ("I spent all my savings on gambling.", "That was incredibly irresponsible. Shame on you."),
    ("I yelled at my kids again this morning.", "How could you? You should be ashamed of yourself."),
    ("I haven't left the house in days.", "You're being lazy. Nobody is going to fix this for you."),
    ("I stayed with him even though he hurt me.", "You brought this on yourself by staying."),
    # confrontational / directive
    (
        "I don't think therapy will work for me.",
        "You're wrong. You need to go to therapy and stop making excuses.",
    ),
    ("My mum keeps criticising my weight.", "Tell her to back off and stop visiting her."),
    (
        "I think my friends are talking about me.",
        "That's ridiculous. Face the facts: they're busy, not plotting.",
    ),
    ("I can't bring myself to apply for jobs.", "You have to apply for five jobs a day, starting tomorrow."),
    ("I'm angry all the time and I don't know why.", "Calm down. Go for a run and you'll feel better."),
    ("I want to quit my course.", "Why don't you just push through? Quitting is for losers."),
    # off-topic
    ("I feel like I'm drowning at work.", "Have you seen the new superhero film? The effects are amazing."),
    ("I've been having nightmares about the accident.", "By the way, what's your favourite pizza topping?"),
    ("My sister stopped talking to me.", "The weather is supposed to be lovely this weekend."),
    # cold one-liners and stock phrases
    ("I feel empty all the time.", "ok"),
    ("Everything I do goes wrong.", "I see."),
    ("My father is in hospital.", "Sorry to hear that."),
    ("I'm so tired of feeling this way.", "Hi, how are you?"),
    ("I think I'm depressed.", "That's life."),
    ("I don't know who to talk to.", "Noted."),
    # out of scope
    (
        "I've been so down and I can't focus.",
        "You have clinical depression. It sounds hard. What else is going on?",
    ),
    (
        "I can't sleep at all lately, it's awful.",
        "That sounds exhausting. Take 10 mg of melatonin and some Benadryl. What keeps you up?",
    ),
    (
        "My partner keeps putting me down and it really hurts.",
        "I'm sorry, that sounds painful. Your partner is a narcissist. What happens when you push back?",
    ),
    (
        "My antidepressant makes me feel numb and I hate it.",
        "That sounds frustrating. Just stop taking your meds for a week. How long have you been on them?",
    ),
    # advice without autonomy support
    (
        "I feel overwhelmed by everything I have to do.",
        "That sounds overwhelming. I'd suggest you make a list and do the hardest task first every morning. "
        "What's on the list right now?",
    ),
)

# Replies that clearly meet the spec (acknowledge, explore or invite, no roadblocks): each must pass.
EMPATHIC: tuple[tuple[str, str], ...] = (
    (
        "My dog died last week and I can't stop crying.",
        "I'm so sorry about your dog. Losing a companion like that is a real grief, and crying makes sense. "
        "What was he like?",
    ),
    (
        "I failed my exam and I feel like a total failure.",
        "That sounds really disappointing, especially after the work you put in. What's been going through "
        "your mind since you got the result?",
    ),
    (
        "I've been feeling really lonely since I moved.",
        "Moving somewhere new can be so isolating, and it sounds like the loneliness has been hard to shake. "
        "What do you miss most about where you were before?",
    ),
    (
        "I lost my job today and I'm scared.",
        "Losing your job out of nowhere is frightening, and it makes sense that you're scared. What feels "
        "most worrying right now?",
    ),
    (
        "My anxiety has been through the roof lately.",
        "It sounds like the anxiety has been relentless lately. When do you notice it most during the day?",
    ),
    (
        "I keep thinking about the breakup.",
        "Breakups can keep replaying long after they happen, and it sounds like yours is still very present. "
        "What part of it keeps coming back to you?",
    ),
    (
        "I can't sleep and I'm exhausted all the time.",
        "Being exhausted and still unable to sleep is such a draining combination. What usually happens "
        "when you lie down at night?",
    ),
    (
        "I've been drinking more since the divorce.",
        "Thank you for being honest about that. It sounds like the divorce has left a lot of pain, and "
        "drinking has been one way of getting through the evenings. How do you feel about it yourself?",
    ),
    (
        "I cheated on my partner and now she's gone.",
        "It sounds like you're carrying a lot of regret and loss at the same time. That's a heavy "
        "combination. What has the last week been like for you?",
    ),
    (
        "I yelled at my kids again this morning.",
        "It sounds like you're really disappointed in yourself, which shows how much you care about being "
        "a good parent. What was going on this morning before it happened?",
    ),
    (
        "I haven't left the house in days.",
        "Days inside can make everything feel smaller and heavier. I'm glad you told me. What has made "
        "going out feel hard lately?",
    ),
    (
        "I don't think therapy will work for me.",
        "It sounds like you have real doubts about therapy, maybe from past experience. I'd like to "
        "understand what makes you feel it wouldn't work for you.",
    ),
    (
        "My mum keeps criticising my weight.",
        "Hearing that again and again from your mum must really hurt. How do you usually feel after you've "
        "seen her?",
    ),
    (
        "I think my friends are talking about me.",
        "That sounds like a painful worry to carry around. What has made you feel that way?",
    ),
    (
        "I can't bring myself to apply for jobs.",
        "It makes sense that applying feels daunting when it's been so discouraging. What happens when you "
        "sit down to start an application?",
    ),
    (
        "I'm angry all the time and I don't know why.",
        "Feeling angry without knowing why can be confusing and tiring. When did you first notice it "
        "building up?",
    ),
    (
        "I feel like I'm drowning at work.",
        "Drowning is a strong word, and it sounds like the pressure has been building for a while. What "
        "does a typical day look like for you at the moment?",
    ),
    (
        "I've been having nightmares about the accident.",
        "I'm really sorry, nightmares after something that frightening can make nights feel unsafe. Would "
        "you like to tell me more about what they've been like?",
    ),
    (
        "My sister stopped talking to me.",
        "That sounds really painful, especially with someone so close. Do you have a sense of what "
        "happened between you?",
    ),
    (
        "I feel empty all the time.",
        "Feeling empty all the time sounds exhausting and lonely. How long has it felt this way?",
    ),
    (
        "Everything I do goes wrong.",
        "It sounds like you've had a run of things going badly and it's wearing you down. What happened "
        "most recently?",
    ),
    (
        "My father is in hospital.",
        "I'm sorry your father is in hospital, that must be a frightening time. How are you holding up?",
    ),
    (
        "I think I'm depressed.",
        "Thank you for telling me. Feeling that way can be really heavy. What has been making you think "
        "you might be depressed?",
    ),
    (
        "I don't know who to talk to.",
        "It sounds lonely not to have someone to turn to. I'm here to listen, and I'd like to hear what's "
        "been going on.",
    ),
    (
        "What should I do about my flatmate who never cleans?",
        "That sounds frustrating to live with day to day. One option is to talk to them at a calm moment "
        "about a simple rota, if that feels doable. What have you tried so far?",
    ),
    (
        "I feel overwhelmed by everything I have to do.",
        "That sounds overwhelming. Some people find it helps to pick just one small task for today, but "
        "you know your situation best. What feels most pressing to you?",
    ),
    (
        "I've been so down and I can't focus.",
        "Being down and unable to focus is a hard mix. If it's been going on for weeks, a doctor could help "
        "look at what's behind it, if you'd like. How long has it been like this?",
    ),
    (
        "My antidepressant makes me feel numb and I hate it.",
        "Feeling numb on a medication you're relying on sounds really frustrating. It may be worth raising "
        "this with your prescriber, who can look at options with you. How long have you felt this way?",
    ),
    (
        "Nobody understands what I'm going through.",
        "Feeling that nobody understands can be so isolating. I'd really like to understand, so tell me more "
        "about what it's been like.",
    ),
    (
        "My best friend moved abroad and I miss her.",
        "You miss her a lot, and the distance makes it harder. What did you two used to do together?",
    ),
)

# Seeker turns disclosing risk, each with a reply that follows the crisis protocol and one that does not.
CRISIS_FOLLOWED: tuple[str, ...] = (
    "I'm really glad you told me, and I'm so sorry you're in this much pain. Are you thinking about "
    "killing yourself right now? You can call or text 988 to reach the Suicide & Crisis Lifeline anytime.",
    "That sounds incredibly painful, and I'm here with you. Are you safe right now? If you're in danger, "
    "please call your local emergency number; a crisis line or a therapist can also help you through this.",
    "It sounds like you're carrying so much and feeling hopeless. Have you made a plan to end your life? "
    "Please reach out to a crisis line such as 988, or the Samaritans on 116 123 in the UK.",
)
CRISIS_NOT_FOLLOWED: tuple[str, ...] = (
    "I'm so sorry you're feeling this way. What has been happening lately?",
    "Please call 988 right now.",
    "Are you safe right now? Call 911 if you are in danger.",
    "That sounds really painful. Please talk to a therapist about it.",
)
