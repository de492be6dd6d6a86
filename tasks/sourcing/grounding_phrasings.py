"""The offline phrase library for grounded conversations, and the keyword lexicon that matches
passages to the concerns those conversations are about.

User turns come from concern-specific situations, feelings and details; assistant turns reflect the
feeling, validate it, bring in a cited line and then explore it with an open question, never
directing or diagnosing (docs/guides/EMPATHY_RESPONSE_STYLE.md). Every slot has many options so that
thousands of conversations over a few hundred passages stay far apart. Nothing here mentions self-harm
or suicide: crisis conversations are the edge-case generator's job.
"""

from __future__ import annotations

# Reflection on meaning and how to live: the concern of passages about life in general.
MEANING = "meaning"

# Words that make a sentence relevant to a concern: (core words, related words), space-separated. A core
# word counts twice, a related word once, and a sentence is relevant from a score of 2. "stem*" matches
# any word starting with the stem; others match whole words only ("die" must not match "diet").
LEXICON: dict[str, tuple[str, str]] = {
    "grief": (
        (
            "death deaths die dies died dying dead mourn* grief grieve grieved grieves grieving bereav* "
            "funeral* widow* sorrow* mortal*"
        ),
        (
            "loss losses lose lost perish* departed tears weep* wept buried grave graves tomb* ashes gone "
            "absence"
        ),
    ),
    "anxiety": (
        "fear* afraid anxi* worr* dread* nervous* apprehensi* panic* terror* terrif* fright*",
        "uneas* alarm* timid* disquiet* trouble troubled agitat* tension* restless* danger* threat*",
    ),
    "low mood": (
        (
            "sad sadness melanchol* despair* gloom* deject* misery miserable unhapp* despond* hopeless* "
            "depress* discourag*"
        ),
        "happiness happy joy* cheer* weary weariness dull* hope hopes content contentment tears",
    ),
    "sleep": (
        "sleep* asleep slept insomnia slumber* drows* wakeful*",
        "dream* night* wake waking awake* tired* fatigue* bed bedtime repose rested restful",
    ),
    "work stress": (
        "overwork* toil* labour* labor* exhaust* burden* strain* hurr*",
        (
            "work working worker* duty duties task* business* employ* effort* busy occupation* "
            "profession* career* pressure* fatigue* tired*"
        ),
    ),
    "loneliness": (
        "alone solitude solitary lonel* friendless isolat* forsak* abandon* outcast*",
        "companion* company society fellowship retire* apart stranger* neglect* belong*",
    ),
    "anger": (
        "anger angry angrily wrath* rage raging resent* furious fury hatred indignat* irrit* reveng*",
        (
            "injur* offen* vex* provok* provoc* hostil* quarrel* fret* temper hate hated spite* annoy* "
            "insult* passion*"
        ),
    ),
    "self-worth": (
        "shame* asham* esteem* inferior* worthless* failur* contempt* despis* humiliat* approval",
        (
            "worth* prais* blame* opinion* pride proud reputation* approv* fame famous honour* honor* "
            "vanit* dignit* confiden* applause glory respect* criticis*"
        ),
    ),
    "relationships": (
        (
            "friend* husband* wife wives marri* lover* affection* kindness neighbour* neighbor* family "
            "families"
        ),
        ("love loved loves loving mother* father* child* brother* sister* kindred parent* trust* together"),
    ),
    "habits and motivation": (
        (
            "habit* routine* procrastinat* disciplin* willpower volition* idleness sloth* laziness "
            "persever* motivat*"
        ),
        (
            "practice* practis* idle lazy persist* resolution* resolve* attention interest interests "
            "motive* energ* diligen* exercise* training effort*"
        ),
    ),
    "change and uncertainty": (
        "change changes changed changing vicissitud* transien* impermanen* uncertain* flux",
        (
            "chance* fortune* future alter* fleeting passing decay* unknown vanish* transform* mutation* "
            "flowing"
        ),
    ),
    MEANING: (
        "meaning* purpose* meaningful* virtue* wisdom wise ideal* soul*",
        "life live lives living good goodness truth value* reason nature happiness",
    ),
}

# Per concern: the seeker's situation, feeling and a later detail; the counsellor's reflection of the
# first turn, the line that links a cited passage back to the seeker's experience without telling them
# what to do, and the echo that acknowledges the later detail before the passage is brought in.
CONCERNS: dict[str, dict[str, list[str]]] = {
    "grief": {
        "situation": [
            "My mum died in the spring and I still can't quite believe it.",
            "We lost our dog last month after fourteen years together.",
            "My best friend passed away suddenly in January.",
            "My grandad, who more or less raised me, died a few weeks ago.",
            "My dad died last autumn after a long illness.",
            "A close colleague died unexpectedly and the office feels hollow without her.",
            "It's been a year since my brother died, and people seem to expect me to be past it.",
            "My grandmother died recently and I was the one looking after her at the end.",
        ],
        "feeling": [
            "Some days I'm fine and then it hits me out of nowhere.",
            "I feel guilty whenever I catch myself laughing.",
            "The house is so quiet that I don't know what to do with myself.",
            "I keep reaching for my phone to ring them before I remember.",
            "It's like there's a weight on my chest that won't lift.",
            "I feel strangely numb, and that unsettles me.",
        ],
        "detail": [
            "Everyone around me seems to have carried on already.",
            "I haven't been able to sort through any of their things yet.",
            "I didn't get to say goodbye properly, and that keeps coming back to me.",
            "The anniversary is coming up and I'm dreading it.",
            "I keep replaying the last conversation we had.",
            "People say it gets easier, but it hasn't yet.",
        ],
        "reflection": [
            "It sounds like the loss is still very close, and it catches you when you least expect it.",
            "Losing someone who mattered so much is so painful, and it changes the shape of every day.",
            "It sounds like you're carrying a lot of love for them, and the grief is part of that love.",
            "I'm hearing how quiet and strange everything feels since they've been gone.",
            "It sounds as though the grief comes in waves, and some of them knock you off your feet.",
            "Missing them seems to show up in so many small moments.",
        ],
        "link": [
            "Words like these don't take the grief away, but sometimes they make it a little less lonely.",
            "I'm not offering it as an answer, just as something another person said about loss.",
            "Grief often sends us looking for some way to understand what has happened.",
            "It's one voice among many, and your own experience of this loss matters just as much.",
            "Sometimes an old line says something we haven't yet been able to say ourselves.",
            "People have been trying to put words to loss for a very long time, and you're not alone in it.",
        ],
        "echo": [
            "It sounds like that part of the loss is still very tender.",
            "That sounds really painful, and it makes sense that it stays with you.",
            "I can hear how much that weighs on you.",
            "It must be so hard to hold that while the world keeps moving.",
            "It sounds like you're carrying this largely on your own right now.",
        ],
    },
    "anxiety": {
        "situation": [
            "I have a presentation next week and I can't stop thinking about it.",
            "My heart races every time I have to make a phone call.",
            "I keep worrying that something bad is about to happen to my family.",
            "I've started avoiding the supermarket because crowds make me feel panicky.",
            "I lie awake replaying every conversation I had during the day.",
            "Every email from my manager makes my stomach drop.",
            "I've been checking the news constantly and it leaves me on edge.",
            "Small decisions have started to feel enormous, and I go round in circles.",
        ],
        "feeling": [
            "My chest feels tight for most of the day.",
            "I feel on edge all the time and it's exhausting.",
            "I can't switch my mind off, even when nothing is wrong.",
            "I'm scared people can tell how nervous I am.",
            "It's like waiting for something to go wrong.",
            "My thoughts race ahead to the worst thing that could happen.",
        ],
        "detail": [
            "It started a few months ago and it's been creeping up since.",
            "I've tried to push through, but the worry comes back stronger.",
            "My partner tells me to relax, but I don't know how.",
            "Some days I cancel plans just so I don't have to feel it.",
            "It's worst in the mornings before I've even got up.",
            "I used to be the calm one, which makes this harder to accept.",
        ],
        "reflection": [
            "It sounds like your mind is working overtime trying to keep you safe.",
            "Living with that constant sense of alarm sounds draining.",
            "I'm hearing how much energy the worry takes, even on quiet days.",
            "It sounds as if your body is reacting before you've had a chance to think.",
            "That feeling of bracing for something bad sounds really wearing.",
            "It sounds like the worry has been taking up more and more room.",
        ],
        "link": [
            "Fear and worry are among the oldest things people have written about.",
            "I'm not sharing it to talk you out of the worry, only because it touches on what you describe.",
            "Sometimes seeing worry described from the outside gives it a slightly different shape.",
            "It's one way of looking at fear, and you're the best judge of whether it fits.",
            "Anxious thoughts can feel very private, yet others have known them well too.",
            "Lines like this don't switch the worry off, but they can sit beside it.",
        ],
        "echo": [
            "It sounds exhausting to keep bracing against it.",
            "That sounds really wearing, especially when it catches you so early.",
            "I can hear how hard you've been trying to manage it on your own.",
            "It makes sense that this has started to shape your days.",
            "It sounds like the worry has been asking a lot of you.",
        ],
    },
    "low mood": {
        "situation": [
            "I haven't felt like myself for a few weeks.",
            "Everything feels flat lately, even things I used to enjoy.",
            "I've been struggling to get out of bed in the mornings.",
            "I stopped going to my running club and I barely see friends now.",
            "I used to paint a lot and I haven't picked up a brush in months.",
            "The days have started to blur into one another.",
            "I keep telling people I'm fine when I'm really not.",
            "I've lost interest in cooking, reading, most of the things I loved.",
        ],
        "feeling": [
            "I feel heavy and tired, like I'm moving through fog.",
            "It's a grey sort of feeling that doesn't lift.",
            "I feel like I'm letting everyone down.",
            "I don't feel much of anything, which is strange for me.",
            "Even small things take a huge effort.",
            "I feel disconnected from the person I used to be.",
        ],
        "detail": [
            "I'm still going to work, but it takes everything I have.",
            "Weekends are the hardest because there's no structure.",
            "I don't want to worry my family, so I keep it to myself.",
            "It's been like this on and off since the winter.",
            "I'm sleeping a lot but never feel rested.",
            "I miss feeling excited about things.",
        ],
        "reflection": [
            "It sounds like the colour has drained out of things that used to matter to you.",
            "Carrying that heaviness every day, and still showing up, sounds exhausting.",
            "I'm hearing how far away you feel from the person you know yourself to be.",
            "It sounds like even the things that used to lift you feel out of reach right now.",
            "That flat, foggy feeling sounds really hard to live inside.",
            "It sounds as though you've been holding a lot in so others won't worry.",
        ],
        "link": [
            "Low seasons have been written about for as long as people have written.",
            "I'm not sharing it to cheer you up, just because it seems to touch what you're going through.",
            "Sometimes naming the heaviness, even in someone else's words, makes it a bit easier to hold.",
            "It's only one perspective, and your experience of this is what matters most here.",
            "A line like this can't lift the fog, but it can be company inside it.",
            "Others have known this kind of flatness too, even if it feels very solitary.",
        ],
        "echo": [
            "It sounds like you've been keeping going on very little.",
            "That sounds really heavy to carry, especially quietly.",
            "I can hear how much you miss feeling like yourself.",
            "It makes sense that the empty stretches feel hardest.",
            "It sounds as though you've been protecting everyone else from how you feel.",
        ],
    },
    "sleep": {
        "situation": [
            "I haven't slept properly in weeks.",
            "I wake up at three every morning and can't get back to sleep.",
            "I've been having vivid dreams that leave me shaken when I wake.",
            "My mind starts racing the moment my head hits the pillow.",
            "I'm exhausted all day but wide awake at night.",
            "Since the baby arrived, I can't remember what a full night's sleep feels like.",
            "Shift work has scrambled my sleep completely.",
            "I keep having the same unsettling dream over and over.",
        ],
        "feeling": [
            "I'm half-asleep through most of the day.",
            "I dread going to bed because I know what's coming.",
            "Everything feels harder when I'm this tired.",
            "I get irritable with people I love, and then I feel bad about it.",
            "I feel foggy and slow, like I'm running on empty.",
            "Night-time has started to feel lonely and long.",
        ],
        "detail": [
            "I've cut out coffee in the afternoon, but it hasn't changed much.",
            "I lie there watching the clock and counting the hours left.",
            "My partner sleeps like a log, which somehow makes it worse.",
            "It started when things got stressful at home.",
            "Some nights I get up and wander round the house.",
            "I've started to worry about not sleeping, which keeps me awake even more.",
        ],
        "reflection": [
            "It sounds like the nights have become something to get through rather than rest in.",
            "Being that tired, day after day, sounds exhausting.",
            "I'm hearing how long and lonely those wakeful hours feel.",
            "It sounds as though your mind won't let you put the day down.",
            "Dreading bedtime, when it should be a rest, sounds really hard.",
            "It sounds like the lack of sleep is wearing you down in lots of small ways.",
        ],
        "link": [
            "Sleep and dreams have puzzled people for centuries, and restless nights are nothing new.",
            "I'm not offering it as a fix, only as something that seemed to speak to those long nights.",
            "Others have lain awake with the same kind of thoughts, and written about them.",
            "It's one way of seeing it, and you know your own nights far better than any writer.",
            "Words like these don't bring sleep, but they can make the night feel a little less empty.",
            "Restless nights have a way of making everything feel bigger, and others have noticed that too.",
        ],
        "echo": [
            "It sounds like you've tried a lot already, and the nights still feel long.",
            "That sounds really frustrating, and lonely in the small hours.",
            "I can hear how much the tiredness has been building up.",
            "It makes sense that worrying about sleep only adds to it.",
            "It sounds as though the nights have been asking a great deal of you.",
        ],
    },
    "work stress": {
        "situation": [
            "My workload has doubled since two colleagues left.",
            "I've been working late almost every night for months.",
            "I was passed over for a promotion I worked really hard for.",
            "There's a deadline that keeps moving closer and the work keeps growing.",
            "My inbox never empties, no matter how early I start.",
            "I feel like everything at work lands on my desk.",
            "I've been covering for someone on leave and it's stretched me thin.",
            "I took on a new role this year and I'm struggling to keep up.",
        ],
        "feeling": [
            "I feel swamped, and the list just keeps growing.",
            "I can't remember the last time I felt on top of things.",
            "I'm snappy at home because I have nothing left by the evening.",
            "I feel like whatever I do, it's never enough.",
            "Sunday evenings fill me with dread.",
            "I'm running on fumes and it's starting to show.",
        ],
        "detail": [
            "I keep saying yes because I don't want to let anyone down.",
            "I've stopped taking lunch breaks altogether.",
            "I check emails in bed, which I know isn't great.",
            "My family has started to notice how tense I am.",
            "I used to love this job, and I miss that feeling.",
            "I haven't had a proper holiday in over a year.",
        ],
        "reflection": [
            "It sounds like you've been giving everything and the demands just keep growing.",
            "Carrying that much, for that long, sounds exhausting.",
            "I'm hearing how little space is left for you at the end of the day.",
            "It sounds as though work has taken over far more of your life than you'd want.",
            "It sounds like you care a lot about doing well, and that makes the pressure heavier.",
            "Feeling that nothing you do is enough sounds really discouraging.",
        ],
        "link": [
            "People have wrestled with the weight of work and duty for a very long time.",
            "I'm not sharing it as advice, just because it seemed to touch on the load you're carrying.",
            "Sometimes an outside voice helps us see our own effort a little differently.",
            "It's one perspective on work and effort, and you're the one who knows your situation.",
            "A line like this won't shrink the inbox, though it does speak to how heavy the load can feel.",
            "Others have felt stretched in the same way, even if the details were different.",
        ],
        "echo": [
            "It sounds like you've been giving far more than you have left.",
            "That sounds exhausting, and it makes sense that it spills over.",
            "I can hear how much you miss enjoying your work.",
            "It sounds as though rest has slipped right off the list.",
            "It must be hard to keep going with so little room to recover.",
        ],
    },
    "loneliness": {
        "situation": [
            "I moved to a new city for work and I don't really know anyone.",
            "Since my divorce, the evenings have felt very empty.",
            "All my friends seem to have settled down and I feel left behind.",
            "I work from home and some days I don't speak to anyone at all.",
            "My closest friend moved abroad last year.",
            "I'm surrounded by people at work, but I still feel alone.",
            "Since I retired from the choir, I've lost touch with most people.",
            "My children have grown up and moved away, and the house feels too big.",
        ],
        "feeling": [
            "I feel invisible a lot of the time.",
            "I miss having someone to tell about my day.",
            "I feel a bit embarrassed to admit how lonely I am.",
            "Weekends stretch out in front of me.",
            "It's like everyone else got a guide to making friends and I didn't.",
            "I feel out of step with everyone around me.",
        ],
        "detail": [
            "I've thought about joining a group, but it feels daunting.",
            "I scroll through photos of people having fun and feel worse.",
            "When someone does reach out, I sometimes don't reply, and I don't know why.",
            "I talk to my cat more than I talk to people.",
            "I used to be quite social, which makes this harder to understand.",
            "I worry I'm annoying people by always being the one who asks to meet.",
        ],
        "reflection": [
            "It sounds like you've been missing real connection, even with people around.",
            "Feeling unseen, day after day, sounds really painful.",
            "I'm hearing how much you long for someone to share the small things with.",
            "It sounds like the quiet has become heavy rather than restful.",
            "It sounds as though you've been carrying this loneliness mostly on your own.",
            "Feeling out of step with everyone can be such an isolating experience.",
        ],
        "link": [
            "Loneliness is one of the oldest human experiences, even though it can feel so private.",
            "I'm not sharing it to make the loneliness smaller, just because it seemed to speak to it.",
            "Sometimes reading how someone else felt alone makes the feeling a little less solitary.",
            "It's one way of thinking about solitude, and your own experience is what counts here.",
            "Others have sat with this same ache, even if they lived very different lives.",
            "A line like this is a small kind of company, across a lot of distance.",
        ],
        "echo": [
            "It sounds like reaching out feels harder than it looks from the outside.",
            "That sounds really lonely, and it makes sense that it's confusing.",
            "I can hear how much you long for connection, even when it feels daunting.",
            "It sounds as though you've been caught between wanting company and holding back.",
            "It must be hard to feel the distance so sharply.",
        ],
    },
    "anger": {
        "situation": [
            "I snapped at my kids again this morning and I feel awful about it.",
            "A colleague took credit for my work and I'm still furious.",
            "My neighbour's noise has been driving me up the wall for months.",
            "I lose my temper in traffic in a way that scares me a little.",
            "My brother said something at dinner that I can't let go of.",
            "Little things set me off lately, and I don't recognise myself.",
            "I feel resentful at how much I do at home compared with everyone else.",
            "Someone I trusted went behind my back, and I'm so angry.",
        ],
        "feeling": [
            "It's like a fire that flares up before I can stop it.",
            "Afterwards I feel ashamed and exhausted.",
            "I'm angry, and underneath it I think I'm really hurt.",
            "I replay what happened and get worked up all over again.",
            "I feel tense all the time, like I'm waiting for the next thing.",
            "I don't like who I become when I'm like this.",
        ],
        "detail": [
            "My partner has started tiptoeing around me.",
            "I usually keep it in at work and then it spills out at home.",
            "I grew up in a house where anger was loud, and I promised myself I'd be different.",
            "I've apologised, but it keeps happening.",
            "It's worse when I'm tired or hungry.",
            "I don't want to stay angry, but I also don't want to pretend it's fine.",
        ],
        "reflection": [
            "It sounds like the anger comes on fast and leaves you feeling bad about yourself afterwards.",
            "I'm hearing that there's real hurt underneath the anger.",
            "It sounds as though you've been holding a lot in, and it comes out when you're worn down.",
            "Feeling taken for granted like that would stir up strong feelings for most people.",
            "It sounds like you care a lot about how you treat the people around you.",
            "Being let down by someone you trusted can leave a deep sting.",
        ],
        "link": [
            "Anger is something people have tried to understand for as long as they have written.",
            "I'm not sharing it to say how you are meant to feel, only because it touches on this.",
            "Sometimes seeing anger described from a distance makes it easier to look at our own.",
            "It's one way of thinking about anger, and you're the one who knows what's underneath yours.",
            "Strong feelings like this have troubled thoughtful people for centuries.",
            "A line like this won't cool the anger, but it might help you look at it with curiosity.",
        ],
        "echo": [
            "It sounds like you really don't want the anger to be the one in charge.",
            "That sounds painful, especially when you've worked so hard to be different.",
            "I can hear how much you care about the people on the receiving end.",
            "It makes sense that it comes out most when you're worn down.",
            "It sounds as though you're trying to respect the feeling without being ruled by it.",
        ],
    },
    "self-worth": {
        "situation": [
            "I always feel like I'm not as good as the people around me.",
            "I got some harsh feedback at work and I can't shake it.",
            "I compare myself to everyone online and always come up short.",
            "I find it really hard to accept compliments.",
            "I failed an exam I'd worked hard for and I feel like a fraud.",
            "I keep worrying about what people think of me.",
            "I was turned down for something I really wanted and it's knocked my confidence.",
            "I've always been the one who doesn't quite measure up in my family.",
        ],
        "feeling": [
            "There's a voice in my head that tells me I'm not enough.",
            "I feel ashamed of myself a lot of the time.",
            "I feel like everyone will eventually find out I'm not good at anything.",
            "I shrink myself so I don't take up too much space.",
            "Even when things go well, I feel like it was luck.",
            "I'm exhausted by trying to prove myself.",
        ],
        "detail": [
            "My friends say I'm too hard on myself, but it doesn't feel that way.",
            "I apologise for things that aren't my fault.",
            "I remember criticism for years, but forget praise in minutes.",
            "I grew up with a lot of comparison to my older sister.",
            "I turn down opportunities because I'm sure I'll mess them up.",
            "I rely a lot on other people's approval to feel okay.",
        ],
        "reflection": [
            "It sounds like that critical voice has been with you for a long time.",
            "I'm hearing how much energy goes into trying to feel good enough.",
            "It sounds as though other people's opinions carry a lot of weight for you.",
            "Feeling like you never quite measure up sounds really painful.",
            "It sounds like you're much harder on yourself than you'd ever be on someone else.",
            "Living with the fear of being found out sounds exhausting.",
        ],
        "link": [
            "Questions of worth, praise and other people's opinion have occupied thinkers for a long time.",
            "I'm not sharing it to argue with how you feel, only because it seemed to touch on it.",
            "Sometimes someone else's words give us a little distance from our own inner critic.",
            "It's one perspective on worth, and you're free to take or leave it.",
            "Others have struggled with the same pull towards approval, even very wise people.",
            "A line like this can't quiet the critic overnight, but it might offer another voice.",
        ],
        "echo": [
            "It sounds like that inner critic has been very loud for a long time.",
            "That sounds exhausting, always measuring yourself against others.",
            "I can hear how much you'd like to feel good enough just as you are.",
            "It makes sense that criticism sticks when it has been around for so long.",
            "It sounds as though you've been carrying other people's verdicts on yourself.",
        ],
    },
    "relationships": {
        "situation": [
            "My partner and I keep having the same argument over and over.",
            "I think my marriage might be ending.",
            "My sister and I haven't spoken since a fight at a family dinner.",
            "I always seem to end up in relationships where I give more than I get.",
            "My best friend and I have drifted apart and I don't know why.",
            "My mum and I clash every time we're in the same room.",
            "I'm finding it hard to trust my partner after something that happened.",
            "My teenage son has stopped talking to me about anything.",
        ],
        "feeling": [
            "I feel like I'm never really heard.",
            "I'm hurt, and I'm also cross with myself for still caring so much.",
            "I feel lonely even when we're in the same room.",
            "I don't know whether to try again or let things be.",
            "I miss how close we used to be.",
            "I feel caught between what I want and what everyone expects of me.",
        ],
        "detail": [
            "We used to be able to talk about anything.",
            "Every time I bring it up, it turns into a fight.",
            "My friends have opinions, but they only hear my side.",
            "I keep wondering what I could have done differently.",
            "There's a lot of history there that we've never really talked about.",
            "I don't want to lose them, but I don't want to keep hurting either.",
        ],
        "reflection": [
            "It sounds like you want to feel heard and close again, and it keeps slipping away.",
            "I'm hearing how much this relationship matters to you, even when it hurts.",
            "It sounds as though you've been giving a lot and getting little back.",
            "Feeling distant from someone you love can be so painful.",
            "It sounds like you're torn between hope and tiredness.",
            "It sounds as though there's a lot of care here, tangled up with a lot of hurt.",
        ],
        "link": [
            "What we owe each other, and how to love well, are questions people have asked for centuries.",
            "I'm not sharing it to tell you what to do, only because it touches on the relationship.",
            "Sometimes an outside voice helps us see a relationship from a slightly different angle.",
            "It's one perspective, and you know the people in your life far better than any writer.",
            "Others have found closeness and conflict hard to hold together too.",
            "A line like this can't settle things between you, though it touches on what many people feel.",
        ],
        "echo": [
            "It sounds like you miss the closeness you used to have.",
            "That sounds really painful, being so caught up in it.",
            "I can hear how much you want things to be different between you.",
            "It makes sense that you keep going back over it.",
            "It sounds as though there's a lot of care under the hurt.",
        ],
    },
    "habits and motivation": {
        "situation": [
            "I keep putting things off until the last minute and then panicking.",
            "I've tried to start exercising a dozen times and always stop after a week.",
            "I spend hours on my phone and then feel bad about the wasted time.",
            "I have a project I care about, but I can't make myself start.",
            "I want to change my routine, but I slip back into old patterns.",
            "I used to be disciplined, and now I struggle with the simplest tasks.",
            "I set goals every Monday and abandon them by Wednesday.",
            "I'm studying for a qualification in the evenings and my focus is shot.",
        ],
        "feeling": [
            "I feel frustrated with myself all the time.",
            "It's like there's a wall between wanting to do something and doing it.",
            "I feel lazy, even though I know it's more complicated than that.",
            "I'm embarrassed by how many times I've started over.",
            "I feel stuck, and unsure I can change.",
            "Every unfinished thing feels like a small weight.",
        ],
        "detail": [
            "I make detailed plans and then don't follow them.",
            "When I do get going, I actually enjoy it, which makes it more confusing.",
            "I think part of me is scared of doing it badly.",
            "Other people seem to manage routines so easily.",
            "It's been like this since I changed jobs.",
            "I end up tidying or doing anything except the thing that matters.",
        ],
        "reflection": [
            "It sounds like you really want this, and the gap between wanting and doing is frustrating.",
            "I'm hearing how much those unfinished things weigh on you.",
            "It sounds as though you've been judging yourself harshly for getting stuck.",
            "Starting over again and again sounds really discouraging.",
            "It sounds like there might be more going on than just willpower.",
            "It sounds like you care about using your time well, and that makes the stuck days painful.",
        ],
        "link": [
            "Habit and effort have been studied and written about for a long time.",
            "I'm not sharing it as a rule to follow, only because it seemed to speak to what you describe.",
            "Reading about habits from the outside can make our own patterns feel less like a failing.",
            "It's one way of looking at habits, and you know your own patterns best.",
            "Others have found the gap between intention and action just as puzzling.",
            "A line like this can't do the work for you, though it shows the struggle is a very human one.",
        ],
        "echo": [
            "It sounds like the hardest part is the very beginning.",
            "That sounds frustrating, especially when you know you enjoy it once you start.",
            "I can hear how much you want to follow through.",
            "It makes sense that fear of doing it badly would make starting harder.",
            "It sounds as though you've been judging yourself for something a lot of people find hard.",
        ],
    },
    "change and uncertainty": {
        "situation": [
            "I've just been made redundant and I don't know what comes next.",
            "We're moving across the country and I feel unmoored.",
            "My health has changed and my plans have had to change with it.",
            "I'm about to become a parent and everything feels uncertain.",
            "My company is restructuring and nobody knows who will stay.",
            "I left a long relationship and my whole future looks different now.",
            "My parents are getting older and things are shifting in our family.",
            "I've finished university and I have no idea what I'm doing next.",
        ],
        "feeling": [
            "I feel like the ground has shifted under me.",
            "Not knowing is almost worse than bad news.",
            "I keep trying to plan for every possibility and it wears me out.",
            "Part of me is excited, and part of me is terrified.",
            "I miss how things used to be, even the parts I didn't like.",
            "I feel like I've lost my sense of direction.",
        ],
        "detail": [
            "Everyone keeps asking what my plan is and I don't have one.",
            "I've always liked knowing what's coming.",
            "I lie awake imagining different versions of the future.",
            "I'm trying to stay positive, but it's hard to keep up.",
            "So much has changed this year that I've lost track.",
            "I don't even know what I want any more.",
        ],
        "reflection": [
            "It sounds like so much is in motion that it's hard to find solid ground.",
            "Living with not knowing, for this long, sounds really unsettling.",
            "I'm hearing both excitement and fear in what you describe.",
            "It sounds as though a lot of what felt certain has shifted at once.",
            "Missing how things were, even while moving on, makes a lot of sense.",
            "It sounds like you've been working hard to prepare for every possibility.",
        ],
        "link": [
            "Change and uncertainty are among the oldest themes people have written about.",
            "I'm not sharing it to say the uncertainty shouldn't bother you, only because it touches on it.",
            "Sometimes seeing change described from a distance makes our own a bit easier to look at.",
            "It's one perspective on change, and you're the one living through this one.",
            "Others have stood at crossroads like this, even if theirs looked different.",
            "A line like this can't tell you what comes next, but it might keep you company in not knowing.",
        ],
        "echo": [
            "It sounds like not having a plan yet feels really uncomfortable.",
            "That sounds unsettling, especially if you've always liked knowing what's coming.",
            "I can hear how much energy goes into imagining what might happen.",
            "It makes sense that you feel a bit lost with so much in motion.",
            "It sounds as though you're being asked for answers you don't have yet.",
        ],
    },
    MEANING: {
        "situation": [
            "I've been feeling a bit lost about what I'm doing with my life.",
            "Lately I keep asking myself what really matters to me.",
            "I turned forty this year and it's made me take stock.",
            "My days feel like they're on autopilot.",
            "I've achieved most of what I set out to do, and it feels oddly hollow.",
            "I'm not unhappy exactly, just unsure what I care about any more.",
            "Since the children left home I've been wondering who I am now.",
            "I keep thinking about how I want to spend the years ahead.",
        ],
        "feeling": [
            "I feel restless in a way I can't quite name.",
            "It's like I'm going through the motions.",
            "I feel a bit guilty for wanting more when I have so much.",
            "I feel curious but also a bit adrift.",
            "Something feels missing, and I can't put my finger on it.",
            "I feel like I'm waiting for my life to start.",
        ],
        "detail": [
            "I used to have a clear sense of purpose.",
            "My friends seem so sure of what they want.",
            "I've started reading more philosophy to make sense of it.",
            "Work pays the bills, but it doesn't feel like me.",
            "I get glimpses of what I want, then they fade.",
            "I think I've been living by other people's expectations for a long time.",
        ],
        "reflection": [
            "It sounds like you're in a season of asking bigger questions about your life.",
            "I'm hearing a kind of quiet restlessness, a sense that something is missing.",
            "It sounds as though you're looking for something that feels more like you.",
            "Taking stock like this can feel unsettling and hopeful at the same time.",
            "It sounds like you've been living on autopilot and want to feel more present.",
            "It sounds as though you're trying to work out what really matters to you.",
        ],
        "link": [
            "Questions about meaning and how to live have occupied people for a very long time.",
            "I'm not sharing it as an answer, only as one voice in a very old conversation.",
            "Sometimes another person's reflections help us find words for our own.",
            "It's one perspective, and the meaning you find will be your own.",
            "Others have stood in this same questioning place and found it worth exploring.",
            "A line like this doesn't settle the question, but it might open it a little wider.",
        ],
        "echo": [
            "It sounds like you're searching for something that feels more like your own.",
            "That sounds like a really honest place to be, even if it's uncomfortable.",
            "I can hear how much you want your days to mean something to you.",
            "It makes sense that those glimpses feel precious and hard to hold.",
            "It sounds as though you've been quietly questioning a lot.",
        ],
    },
}

# Who the seeker is: a key (the persona label) with two phrasings each. Working-age roles only, so a
# persona never contradicts a situation (a retiree describing a workload, say).
PERSONAS: dict[str, list[str]] = {
    "nurse": ["I'm a nurse and I work a lot of night shifts.", "I work as a nurse on a busy ward."],
    "teacher": ["I teach at a secondary school.", "I'm a primary school teacher."],
    "developer": ["I'm a software developer.", "I write software for a living."],
    "chef": ["I'm a chef in a small restaurant.", "I work long hours in a kitchen."],
    "accountant": ["I'm an accountant.", "I work in accounts at a mid-sized firm."],
    "bus driver": ["I drive buses for a living.", "I'm a bus driver on early shifts."],
    "social worker": ["I'm a social worker.", "I work in children's social care."],
    "shop owner": ["I run a small shop with my cousin.", "I own a little bookshop."],
    "pharmacist": ["I'm 34 and I work as a pharmacist.", "I'm a pharmacist at a busy chemist."],
    "electrician": ["I'm an electrician and I'm self-employed.", "I work as an electrician."],
    "carer": ["I'm a paid carer and I visit people at home.", "I work as a care assistant."],
    "librarian": ["I'm a librarian.", "I work in a public library."],
    "engineer": ["I'm a civil engineer.", "I work as an engineer on building projects."],
    "receptionist": ["I'm a receptionist at a dental practice.", "I work on reception at a hotel."],
    "warehouse worker": ["I work in a warehouse.", "I'm a picker at a distribution centre."],
    "designer": ["I'm a graphic designer.", "I do freelance design work."],
    "journalist": ["I'm a journalist at a local paper.", "I write for a news website."],
    "paramedic": ["I'm a paramedic.", "I work on the ambulances."],
    "postgraduate": [
        "I'm a PhD student and I teach part-time.",
        "I'm doing a master's and working weekends.",
    ],
    "lawyer": ["I'm a solicitor.", "I work at a law firm."],
    "cleaner": ["I work as a cleaner in offices.", "I clean houses for a living."],
    "musician": ["I'm a musician and I teach piano on the side.", "I play in a band and work in a cafe."],
    "call centre": ["I work in a call centre.", "I'm on the phones at a customer service centre."],
    "farmer": ["I'm a farmer.", "I work on my family's farm."],
}

# Support strategies for the closing turn, each with moves that stay exploratory and leave the choice
# with the seeker.
STRATEGY_MOVES: dict[str, list[str]] = {
    "reflective listening": [
        "It sounds like part of you is looking for a way to hold this that feels a little lighter.",
        "What I'm hearing is that you've been carrying this mostly on your own.",
        "It sounds like you're tired of feeling this way and hoping something could shift.",
        "I'm hearing that this matters to you deeply, even when it hurts.",
        "It sounds as though you're trying to understand yourself as much as the situation.",
        "It sounds like that line touched something you've been feeling for a while.",
    ],
    "validation": [
        "Whatever you're feeling about it is a natural response to what you've been through.",
        "It makes complete sense that this has been weighing on you.",
        "Anyone in your position might feel pulled in different directions.",
        "Your reaction is a very human one, and it deserves some gentleness.",
        "It's understandable that this has taken so much out of you.",
        "It's okay for this to be hard, and for words to help only a little.",
    ],
    "exploring meaning": [
        "Perhaps this experience is showing you something about what matters most to you.",
        "Hard seasons sometimes change how we see things, and I'm curious what's shifting for you.",
        "I'm curious what meaning, if any, you'd want to take from all this.",
        "Perhaps there's something in how you've been coping that says a lot about you.",
        "I wonder which part of that line feels most like your own experience.",
        "Maybe the question itself is worth staying with for a while, at your own pace.",
    ],
    "values exploration": [
        "I'm curious what you value most in how you want to get through this.",
        "It sounds like honesty and care matter a lot to you.",
        "What you're describing seems connected to things you really care about.",
        "I wonder which of your values feels most alive for you right now.",
        "It seems the hurt is tied to something you hold dear.",
        "It sounds like you want to meet this in a way that fits who you are.",
    ],
    "strengths and coping": [
        "You've kept going through something really hard, and that says something about you.",
        "I'm struck by how thoughtfully you're approaching this.",
        "It sounds like you've already found ways to get through some of the hardest days.",
        "Talking about it, like you are now, takes real courage.",
        "I'm curious what has helped you, even a little, on the difficult days.",
        "There's a lot of resilience in the way you've been facing this.",
    ],
    "self-compassion": [
        "If it feels right, perhaps some of the kindness you'd give a friend could be yours too.",
        "Perhaps there's room to be a little gentler with yourself while this is so raw.",
        "It sounds like you've been very hard on yourself, and you deserve some of the care you give others.",
        "There's no right speed for feeling better.",
        "You're allowed to find this hard.",
        "It might help to notice how much you're already carrying, and how well you're doing with it.",
    ],
    "gentle reframing": [
        "Maybe the fact that it hurts this much shows how much it matters to you.",
        "Maybe what feels like weakness is really you being honest with yourself.",
        "Perhaps there's room for more than one way of seeing this.",
        "It might be that both things are true at once: it's hard, and you're still finding your way.",
        "I wonder whether struggling with this is a sign of care rather than failure.",
        "Perhaps the line is less a verdict than an invitation to look at things from another side.",
    ],
}

OPENERS = [
    "Hi.",
    "Hello, I'm not sure where to start.",
    "I've never done anything like this before.",
    "Thanks for being here.",
    "Can I talk something through?",
    "I don't usually talk about this.",
    "Hi, I've been meaning to reach out for a while.",
    "This is a bit hard to put into words.",
    "Hey.",
    "I hope it's okay to just write this down.",
    "I'm not really sure why I'm messaging, but here goes.",
    "Good evening.",
    "I've been sitting on this for a while.",
    "Okay, deep breath.",
]

ACKNOWLEDGEMENTS = [
    "Thank you for telling me this.",
    "I'm really glad you reached out.",
    "Thank you for trusting me with this.",
    "I'm so sorry you're going through this.",
    "That sounds really hard.",
    "I can hear how much this has been on your mind.",
    "Thank you for sharing this; it means a lot.",
    "I'm sorry things have been so heavy lately.",
    "It takes courage to put this into words.",
    "Thank you for being so open.",
    "I'm glad you're talking about it.",
    "That sounds like a lot to carry.",
]

VALIDATIONS = [
    "What you're feeling makes a lot of sense.",
    "It's completely understandable to feel this way.",
    "There's nothing wrong with you for feeling like this.",
    "Many people would find this hard in your place.",
    "Your feelings are a natural response to what's happening.",
    "It makes sense that this has been weighing on you.",
    "Anyone might feel unsettled by this.",
    "You don't have to have it all figured out.",
    "It's okay that this is hard.",
    "Those feelings deserve to be taken seriously.",
]

FIRST_QUESTIONS = [
    "What has it been like for you day to day?",
    "What feels hardest about it right now?",
    "How have you been coping so far?",
    "What goes through your mind when it's at its worst?",
    "When do you notice it most?",
    "What would you most like the people around you to understand?",
    "How has this been affecting the rest of your life?",
    "What's been on your mind most this week?",
    "What do you find yourself thinking about when it's quiet?",
    "How are you looking after yourself through this?",
    "What would you like to talk about first?",
    "Could you tell me a bit more about what that's been like?",
]

# The seeker's second turn ends by wondering aloud, which the cited line then answers.
WONDERINGS = [
    "I keep wondering whether other people have felt this way.",
    "I don't know if anyone ever really makes sense of this.",
    "Part of me wonders if there's another way to look at it.",
    "I've been trying to understand it, but I keep going round in circles.",
    "I suppose I'm looking for some way to think about it that helps.",
    "Is it strange that I feel like this?",
    "I'm not sure what I'm hoping for by saying all this.",
    "Sometimes I wonder if I'm the only one.",
    "I don't really know what to make of it all.",
    "It helps a bit just to write it down.",
]

BRIDGES = [
    "You're not the first person to sit with something like this.",
    "Something you said brought a passage to mind.",
    "People have written about this kind of experience for a long time.",
    "Your words reminded me of something I read.",
    "I'd like to share a line that came to mind, if that's alright.",
    "There's a passage that touches on this.",
    "I thought of a line while you were describing that.",
    "Writers have tried to put words to this for a long time.",
    "What you describe echoes something I came across.",
    "Others have wrestled with this too, and one of them wrote something that stays with me.",
]

# The question after a quote leaves the seeker free to take it or leave it, as an offered perspective should.
SECOND_QUESTIONS = [
    "What do you think of it?",
    "How does that feel to hear?",
    "Does any of that fit, or does it miss the mark?",
    "How does that sound to you?",
    "Which feels truer to you right now, that line or your own sense of things?",
    "Maybe it fits, maybe it doesn't. What comes up for you as you read it?",
    "Perhaps some of it rings true and some doesn't. What do you make of it?",
    "It's entirely up to you what you do with it. How does it land?",
    "What do you think: does any of it speak to where you are?",
    "How does that feel alongside what you've been going through?",
    "You know yourself best. How does that land for you?",
    "Would it be okay to stay with it for a moment? What comes up?",
]


# The seeker's reaction to the quote, by tone; the follow-up and the counsellor's acknowledgement are drawn
# for the same tone, so a seeker who finds the line distant is never told it moved them.
REACTIONS: dict[str, list[str]] = {
    "resonant": [
        "That's a striking way to put it.",
        "That actually lands, oddly.",
        "I like that. It makes me feel less alone in it.",
        "I read it twice. Something in it stuck.",
        "That makes me a bit emotional, to be honest.",
        "Huh. I hadn't thought of it like that.",
    ],
    "mixed": [
        "I think that's partly true, but it's hard to feel it.",
        "I'm not sure I agree, but it makes me think.",
        "Part of me wants to believe that.",
        "It's comforting in a way, though it doesn't fix anything.",
        "I can see what they mean, even if I'm not there yet.",
    ],
    "distant": [
        "That feels a bit distant from where I am, if I'm honest.",
        "I'm not sure it fits my situation, to be honest.",
        "It's a nice thought, but it feels far away right now.",
        "I don't really connect with it, if I'm honest.",
        "It sounds wise, but it doesn't quite reach me today.",
    ],
}

FOLLOW_UPS: dict[str, list[str]] = {
    "resonant": [
        "I think I needed to hear something like that today.",
        "It makes me think about what actually matters to me.",
        "I wish I could feel that way more often.",
        "It reminds me of how I used to see things.",
        "Maybe I've been too hard on myself about it.",
    ],
    "mixed": [
        "I'm not sure what to do with that thought yet.",
        "I guess I'd like to feel a little steadier.",
        "It's a lot to take in.",
        "Maybe I've been too hard on myself about it.",
        "Right now I'd mostly like things to feel a bit lighter.",
    ],
    "distant": [
        "Right now I'd mostly like things to feel a bit lighter.",
        "I'm not sure what the next step even looks like.",
        "I guess I just want to feel more like myself.",
        "Maybe it will make more sense another day.",
        "It's a lot to take in.",
    ],
}

SECOND_ACKNOWLEDGEMENTS: dict[str, list[str]] = {
    "resonant": [
        "It sounds like those words stirred something in you.",
        "It sounds like that spoke to you.",
        "Thank you for sharing how that landed.",
        "It sounds like that line really reached you.",
        "It makes sense that it would move you, given everything you're carrying.",
    ],
    "mixed": [
        "It makes sense that it might feel both true and hard to feel.",
        "It sounds like you feel both the pull of it and the distance from it.",
        "That mixed reaction makes a lot of sense.",
        "It's completely okay that it only feels partly right.",
        "Thank you for being so honest about how that sits with you.",
    ],
    "distant": [
        "Thank you for being honest that it doesn't quite fit.",
        "That's a very understandable response.",
        "It makes sense that it feels far from what you're living through.",
        "It's completely okay that it doesn't speak to you.",
        "I'm glad you told me what came up.",
    ],
}

CLOSINGS = [
    "What would feel most helpful to talk about next?",
    "Where would you like to go from here, if anywhere?",
    "What feels most important to you right now?",
    "How are you feeling as we talk about it?",
    "What would you like to explore a bit more?",
    "If you'd like, we could stay with this a little longer. What comes to mind?",
    "What would it be like to sit with that for a while?",
    "What do you notice in yourself as you think about it?",
    "There's no rush. What feels right to talk about next?",
    "What would support look like for you this week?",
    "Whatever you decide to do with it is up to you. What stands out most?",
    "What would you want to take away from this conversation?",
]

# How a citation is introduced, per source type: {author} and {work} are filled from the passage.
CITE_FORMS: dict[str, tuple[str, str, str]] = {
    "book": (
        "As {author} wrote in {work},",
        "In {work}, {author} wrote:",
        "{author} put it this way in {work}:",
    ),
    "book-anonymous": ("As {work} puts it,", "There is a line in {work}:", "One passage in {work} reads:"),
    "transcript": (
        "As the speaker put it in {work},",
        "In the recording {work}, the speaker says:",
        "One line from {work} has stayed with me:",
    ),
    "academic": (
        "As the authors of “{work}” wrote,",
        "In the study “{work}”, the researchers wrote:",
        "A paper titled “{work}” puts it this way:",
    ),
    "document": ("As {work} puts it,", "In {work}, there is this line:", "One passage in {work} reads:"),
}
