"""Hand-written crisis-detector cases, in varied registers (tweets, posts, chat turns, formal notes).

Written for this project, not excerpted from any data set. The training script reads IDIOM_NEGATIVES
and CRISIS_POSITIVES as one more labelled source; every other list is held out of training, so its
tests check generalisation. The tests assert every case lands on the right side of the threshold.
"""

# Figurative, everyday or technical uses of crisis words: none of these is a crisis.
IDIOM_NEGATIVES: tuple[str, ...] = (
    "this commute is killing me",
    "I'm dying to see the new season, when does it drop?",
    "that joke killed me 😂",
    "kill the process and restart the server, it's hung again",
    "I could murder a pizza right now",
    "my feet are killing me after that hike",
    "lol I'm dead, that video is hilarious",
    "We need to kill some time before the train leaves.",
    "She absolutely killed it at the open mic last night!",
    "I'm bored to death in this meeting",
    "This heat is killing me, when does autumn start",
    "honestly dying of laughter at the group chat rn",
    "Moving the launch again would be career suicide for the PM.",
    "The new Suicide Squad movie was better than I expected.",
    "I'm dead tired after the night shift, going straight to bed.",
    "Can you kill the lights on your way out?",
    "that chocolate cake is to die for",
    "I overdosed on coffee today and now I can't sit still",
    "Please shoot me an email when the report is ready.",
    "I shot myself in the foot by missing the deadline.",
    "scared to death of spiders, there's one in the bathtub",
    "The engine died on the motorway and I had to call for a tow.",
    "My phone battery is dead again.",
    "We killed two birds with one stone by shopping on the way home.",
    "Running a marathon nearly killed me but I finished!",
    "the suspense is killing me, just tell me who won",
    "Kill the tmux session with ctrl-b then x.",
    "I would kill for a decent cup of tea right now.",
    "my plants died while I was on holiday, RIP basil",
    "That exam absolutely killed me, I hope I passed.",
    "I'm so hungry I could eat a horse.",
    "The deadline is Friday, so let's hang in there, team.",
    "We're going to cut costs by ending the contract early.",
    "I cut myself a big slice of cake to celebrate.",
    "I hurt myself at the gym doing deadlifts, nothing serious.",
    "the referee's decision was political suicide for the league",
    "Grandma's stories about the war always make me cry, in a good way.",
    "I burned myself on the oven tray while baking cookies.",
    "Our team is dying to hear your feedback on the draft.",
    "I'm worried to death about my driving test tomorrow.",
    "Just finished the game, the ending destroyed me emotionally lol",
    "end the loop when the counter hits zero",
    "my laptop is dying, need a charger asap",
    "i want to die of embarrassment, i called my teacher mum",
    "I've been feeling stressed about exams, but talking to friends helps.",
    "This traffic jam is going to be the death of me.",
)

# First-person suicide, self-harm or imminent-risk statements, explicit and vague.
CRISIS_POSITIVES: tuple[str, ...] = (
    "I want to kill myself",
    "i dont want to be alive anymore",
    "I've been thinking about ending my life every night this week.",
    "I have the pills saved up and I'm going to take them all tonight.",
    "everyone would be better off without me",
    "I don't see any way out of this anymore.",
    "I'm done with it all. Goodbye.",
    "I can't go on like this",
    "I just want it all to stop",
    "Wrote my suicide note today. I'm tired.",
    "i keep cutting myself and i can't stop",
    "been self harming again, my arms are a mess",
    "I'm standing on the bridge right now",
    "I bought a rope yesterday.",
    "Gave away my cat and my guitar, won't need them where I'm going.",
    "I wish I could go to sleep and never wake up.",
    "nobody would even notice if i disappeared forever",
    "kms honestly nothing is ever going to get better",
    "what's the point of living when everything hurts",
    "I tried to overdose last year and I'm having those thoughts again.",
    "I'm a burden to my family and they'd be happier if I was gone.",
    "Tonight is the night. I've made up my mind.",
    "I have a plan to end it and I know when.",
    "i feel so suicidal right now",
    "My therapist doesn't know I've started cutting again.",
    "I keep thinking about jumping in front of a train on my way to work.",
    "There is no reason for me to live anymore.",
    "Dear whoever finds this, I'm sorry, I couldn't do it anymore.",
    "I've been having suicidal thoughts since the divorce.",
    "i wanna die i hate everything",
    "I'm so tired of living. I just want to sleep forever.",
    "I looked up how many pills it takes.",
    "I'm going to hang myself this weekend",
    "Life isn't worth living anymore.",
    "I don't want to wake up tomorrow.",
    "i hope i die in my sleep tonight",
    "Nothing matters anymore and I'm ready to end it all.",
    "The voices tell me to hurt myself and I'm starting to listen.",
    "I'm writing goodbye letters to my kids.",
    "I'm going to drive my car into a wall.",
    "I can't take this pain anymore, I want to disappear for good.",
    "This is my last post. Thank you all for everything.",
    "I sat with the knife against my wrist for an hour last night.",
    "Honestly I think the world would be better without me in it.",
    "I keep googling painless ways to die.",
)

# Everyday sadness, stress, grief, loneliness and requests without any risk: none of these is a crisis.
EVERYDAY_NEGATIVES: tuple[str, ...] = (
    "I can't sleep and I keep worrying about work.",
    "Can you help me plan a birthday party for my sister?",
    "My dog passed away last week and the house feels so empty without him.",
    "I've been really lonely since I moved to a new city for my job.",
    "Work has been so stressful lately, my boss keeps piling on deadlines.",
    "i failed my driving test again, so annoyed with myself",
    "My grandmother died in March and I still cry when I hear her favourite song.",
    "We broke up after three years and I don't know how to be single again.",
    "I'm nervous about my job interview tomorrow, any tips?",
    "Money is tight this month and the rent is due on Friday.",
    "ugh mondays. need coffee and a nap",
    "I feel like my friends don't invite me out anymore.",
    "How do I tell my parents I want to switch my major?",
    "I keep procrastinating on my thesis and feel guilty about it.",
    "My anxiety gets bad before presentations, my hands shake.",
    "Could you suggest some recipes for a quick weeknight dinner?",
)

# Everyday negatives the shipped model still flags (held out from training; listed so that a retrain
# that fixes or newly breaks one is noticed). The n-gram model alone flagged three ("failed ... annoyed
# with myself", "can't sleep ... keep worrying", "friends don't invite me ... anymore"), through words
# they share with self-blame, insomnia and isolation posts; with the embedding model none is flagged.
KNOWN_EVERYDAY_MISSES: frozenset[str] = frozenset()

# Crisis in other registers: short, lower-case, slangy or indirect.
REGISTER_POSITIVES: tuple[str, ...] = (
    "honestly just done with it all",
    "idk how much longer i can keep going like this, i want out for good",
    "i dont see any way out tbh",
    "been fantasizing about not waking up",
    "i wish i had never been born",
    "trying so hard not to kill myself tonight",
    "why shouldnt i just end my life",
    "i dont want to keep living like this",
    "took 30 of my sleeping pills, idk what happens now",
    "how many tylenol would it take",
    "i deserve to die",
)

# Denials: lower risk than the affirmed statement, but not zero.
NEGATED: tuple[tuple[str, str], ...] = (
    ("I would never kill myself", "I want to kill myself"),
    ("I'm not suicidal, just exhausted", "I'm suicidal, just exhausted"),
    ("I have no plans to hurt myself", "I have plans to hurt myself"),
    ("i dont want to die", "i want to die"),
)

# Obfuscated or slang risk statements (leetspeak, masked or spelled-out letters, platform euphemisms).
OBFUSCATED_POSITIVES: tuple[str, ...] = (
    "k1ll mys3lf",
    "i want to unalive myself",
    "kms",
    "thinking about sewer slide again",
    "i wanna kys tbh",
    "gonna k*ll myself tonight",
    "i want to d i e",
    "been thinking about s u i c i d e",
    "i keep thinking about unaliving myself",
    "want to self delete",
    "might just yeet myself off the bridge",
    "su1c1dal again",
)

# Vague distress that still counts as potential risk (hopelessness, entrapment, wanting it to stop).
VAGUE_RISK_POSITIVES: tuple[str, ...] = (
    "I don't see any way out",
    "done with it all",
    "i cant do this anymore",
    "there is no hope left for me",
    "i just want everything to stop",
    "whats the point anymore",
    "nothing is ever going to get better",
)

# Denials: the risk words are there, the risk is not. None of these may be flagged.
DENIALS: tuple[str, ...] = (
    "I'm not suicidal, just tired",
    "I would never kill myself, I just need a holiday",
    "I'm not going to hurt myself, don't worry",
    "No thoughts of suicide, just stressed about exams",
    "i dont want to die, i just want this week to be over",
    "I have no plans to end my life, I'm just really frustrated with work",
)

# Idioms not in IDIOM_NEGATIVES (so never trained on): the idiom list must generalise to them.
HELD_OUT_IDIOMS: tuple[str, ...] = (
    "I'd kill for a coffee",
    "dying to see it",
    "my boss is going to kill me if I'm late again",
    "this workload is killing me",
    "I nearly died laughing at that video",
    "that presentation was the death of me",
)
