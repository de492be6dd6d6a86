"""Explicit patterns behind the EARS criteria that have no (or too little) labelled data.

Each detector reads one reply (or one seeker turn) and returns the first matching phrase, or None.
The phrasings come from the frameworks the spec cites (EPITOME's mechanisms; Motivational
Interviewing's reflections, open questions, affirmations and autonomy support; Gordon's "roadblocks"
for dismissal, judgement and directives) and from crisis-response guidance, not from the pipeline's
generator: a gate sharing phrasings with the generator would grade its own homework. The criteria
they implement are defined in docs/guides/EMPATHY_RESPONSE_STYLE.md.
"""

from __future__ import annotations

import re
from functools import lru_cache

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Lower case, straight quotes, single spaces: the form every pattern is written against. Cached:
    each of a reply's dozen or so detectors asks for it in turn."""
    return " ".join(text.translate(_QUOTES).lower().split())


def words(text: str) -> list[str]:
    """Word tokens of normalised text (contractions kept whole)."""
    return _WORD.findall(normalise(text))


def sentences(text: str) -> list[str]:
    """Sentences of normalised text, each with its closing punctuation."""
    return [s.strip() for s in _SENTENCE.findall(normalise(text)) if s.strip()]


def _compile(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


def _search(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(normalise(text))
    return match.group(0) if match else None


_FEELING = "|".join(
    (
        "hard|tough|difficult|painful|awful|terrible|rough|frustrating|scary|frightening|upsetting",
        "overwhelming|exhausting|lonely|isolating|stressful|heartbreaking|distressing|draining|heavy",
        "devastating|unfair|confusing|worrying|sad|hurtful|discouraging|challenging|horrible|miserable",
        "unsettling|disappointing|infuriating|maddening|tiring",
        "a lot to (?:carry|hold|deal with|handle|manage|take in)",
        "embarrassing|humiliating|terrifying|crushing|bewildering|agonising|agonizing|raw|brutal",
        "anxiety-provoking|nerve-wracking|gut-wrenching|a lot of pressure|(?:a )?(?:real )?struggle",
        "a lot|so much",
    )
)
_INTENSIFIER = r"(?:(?:so|really|very|incredibly|pretty|truly|such|quite|especially|understandably) )*"
_SUBJECT = r"(?:that|this|it|which|things|everything)"
_COPULA = (
    r"(?:'s|'s been|'ll be| sounds| seems| must be| must have been| must feel| can be| can feel| would be| is"
    r"| has been| feels| is going to be|'s going to be| will be| was)"
)

# EPITOME "emotional reactions": warmth, compassion, concern or validation aimed at the seeker.
EMOTIONAL_REACTION = _compile(
    r"\b(?:i'?m|i am) (?:so |really |very |truly |deeply )*sorry\b",
    r"\bsorry (?:to hear|that|for your loss|you(?:'re| are)? (?:going|dealing|feeling|went|had))",
    rf"\b{_SUBJECT}{_COPULA} (?:like )?(?:(?:it'?s|it has been|a|an|such a) )?{_INTENSIFIER}(?:{_FEELING})\b",
    rf"\bwhat a {_INTENSIFIER}(?:{_FEELING}|shame|blow|loss)\b",
    rf"\b(?:is|are|was|sounds|seems|feels|must be|can be) {_INTENSIFIER}(?:such an? |an? )?{_INTENSIFIER}"
    rf"(?:{_FEELING})\b",
    r"\b(?:must|would|can|could) (?:really |have |really have )?(?:hurt|sting|ache|been (?:hard|painful))\b",
    rf"\bhow {_INTENSIFIER}(?:{_FEELING})\b",
    r"\bi (?:can )?(?:only )?(?:imagine|understand|see|hear|tell) (?:how|why|that|what|the|your|you)\b",
    r"\b(?:weigh|wear|get|drag)(?:s|ing)? (?:on )?you down\b|\bweigh(?:s|ing)? on you\b",
    r"\b(?:o+o+f+|ugh+|oh man|oh dear|yikes|aww+)\b",
    r"\b(?:makes|make) (?:a lot of |complete |total |so much |perfect )?sense\b",
    r"\bunderstandabl[ey]\b",
    r"\b(?:that'?s|it'?s|that is|it is|are|is|feel|feels|feeling) (?:completely |totally |perfectly "
    r"|very |so |really )?(?:valid|human|normal|natural)\b",
    r"\bit'?s (?:completely |totally |perfectly |really |so |very )?(?:okay|ok|alright) (?:to|that|you)\b",
    r"\b(?:thank you|thanks) (?:so much )?for (?:sharing|telling|trusting|opening)",
    r"\b(?:thank you|thanks) (?:so much )?for being (?:so )?(?:honest|open)",
    r"\b(?:thank you|thanks) (?:so much )?for (?:reaching out|letting me know)",
    r"\b(?:that|it|this) (?:took|takes) (?:a lot of |real )?(?:courage|strength|guts|bravery)\b",
    r"\b(?:i'?m|i am) (?:really |so |very )?glad you (?:reached out|told|shared|came|are here|'re here|said)",
    r"\bmy heart (?:goes out|breaks)\b|\byou have my sympath|\bsending (?:you )?(?:hugs|love|strength)\b",
    r"\boh no\b|\bi hear you\b|\byou(?:'re| are) not alone\b|\bno wonder you\b",
    r"\b(?:i'?m|i am) (?:really |so |very |truly |deeply )?(?:concerned|worried) (?:about|for) you\b",
    r"\b(?:of course|naturally) (?:you|this|that|it)\b.*\b(?:feel|hurt|hard|upset|scared|angry|sad)",
)

# EPITOME "interpretations" / MI reflections: saying back what the seeker feels or means.
REFLECTION = _compile(
    r"\b(?:it |that |this )?(?:sounds|seems|looks|feels) (?:like|as if|as though) (?:you|your|it'?s been"
    r"|things|this|that|there'?s|part of you|the)\b",
    r"\b(?:you'?re|you are|you'?ve|you have|you were)(?: (?:\w+ly|still|also|just|so|quite|often))?(?: been)?"
    r"(?: (?:\w+ly|still|also|just|so|quite|often))? "
    r"(?:feeling|dealing with|going through|carrying|struggling|worried|worrying|facing|juggling|caught|"
    r"torn|stuck|hurting|grieving|exhausted|overwhelmed|scared|afraid|anxious|lonely|frustrated|angry|"
    r"hurt|sad|upset|disappointed|confused|missing|left|holding|trying|tired|ashamed|embarrassed|nervous|"
    r"stressed|heartbroken|devastated|under)\b",
    r"(?<!make )(?<!made )(?<!makes )(?<!help )(?<!helps )(?<!let )\byou (?:feel|felt|must feel|might feel"
    r"|may feel|must have felt|probably feel|seem|miss|care)\b(?! (?:better|good|worse)\b)",
    r"\b(?:part of you|a part of you|on (?:the )?one hand)\b",
    r"\bif i (?:understand|hear|'?m hearing) (?:you |this )?(?:correctly|right)\b",
    r"\b(?:what )?i'?m hearing\b|\bso you'?re saying\b|\byou (?:said|mentioned|told me|describe)\b",
    r"\bi (?:can )?(?:sense|get the sense|get the feeling)\b",
    r"\b(?:it )?must (?:be|have been|feel)\b",
    r"\bfeels? like (?:you|nobody|no one|everyone|everything|nothing)\b",
)

_GREETING_QUESTION = _compile(
    r"^(?:hi|hello|hey)?[ ,]*(?:how are you(?: doing)?(?: today| now| tonight)?|how'?s it going)\??$",
    r"^(?:are you (?:still )?there|what'?s up|you there|how about you|and you|what about you)\??$",
)
_ROADBLOCK_QUESTION = _compile(
    r"\bwhy (?:didn'?t|can'?t|won'?t|wouldn'?t) you\b|\bwhy don'?t you just\b|\bwhat'?s wrong with you\b",
    r"\bwhat were you thinking\b|\bhow could you\b|\bwhat did you expect\b|\bwho cares\b",
    r"\bare you (?:serious|kidding|crazy)\b|\bdon'?t you (?:think|know|see)\b",
)
# MI open questions and explicit invitations to say more (EPITOME "explorations").
INVITATION = _compile(
    r"\btell me (?:more|a bit|a little|about|what|how)\b",
    r"\bi'?d (?:like|love|be glad|be happy) to (?:hear|know|understand|listen)\b",
    r"\b(?:feel free|you'?re welcome|you are welcome) to (?:share|tell|talk|say)\b",
    r"\bi'?m (?:here|listening)(?: for you| with you| to listen| if| whenever| when| and)?\b",
    r"\bwhenever you(?:'re| are)? ready\b",
    r"\bif you (?:'?d |would )?(?:like|want|feel like it|feel up to it)(?: to)? (?:talk|share|tell|say|go"
    r"|walk|explore|describe)",
    r"\b(?:want|like) to (?:talk|say|share) (?:more|a bit|a little)?\b",
    r"\b(?:say|share|tell me) (?:a bit |a little )?more\b",
    r"\bwe can (?:talk|take|go|keep|look)\b",
)


# Questions typed without a question mark ("how is your work going so far").
_UNMARKED_QUESTION = _compile(
    r"(?:^|\b(?:and|so|but|that|now|then|ok|okay|well) )(?:how|what|why|when|where|which|who) (?:is|are|was"
    r"|were|do|did|does|have|has|had|would|could|can|will|made|makes|kind of|sort of)\b[^.!?]{0,40}"
    r"\b(?:you|your)\b",
    r"^(?:do|did|have|are|were|can|could|would|will|is there|are there) you\b",
)


def explores(text: str) -> str | None:
    """An open question or invitation to the seeker; greeting and roadblock questions do not count."""
    for sentence in sentences(text):
        asks = sentence.endswith("?") or _UNMARKED_QUESTION.search(sentence)
        if asks and not _GREETING_QUESTION.search(sentence) and not _ROADBLOCK_QUESTION.search(sentence):
            return sentence
    return _search(INVITATION, text)


def emotional_reaction(text: str) -> str | None:
    """A phrase expressing warmth, compassion, concern or validation (EPITOME ER)."""
    return _search(EMOTIONAL_REACTION, text)


def reflection(text: str) -> str | None:
    """A phrase saying back what the seeker feels or means (EPITOME IP, MI reflection)."""
    return _search(REFLECTION, text)


# Minimising, premature reassurance and "cheering up" (Gordon's roadblocks; the spec's "dismissal").
DISMISSAL = _compile(
    r"\b(?:get|got|getting) over it\b",
    r"\b(?:just|need to|should|have to|got to|gotta|time to|must) move on\b",
    r"\b(?:other|lots of|many|some) (?:people|folks|kids|others) (?:have it|are|have|had it) "
    r"(?:much |so |way |far |a lot )?worse\b",
    r"\bothers have it worse\b|\b(?:it |things )?could (?:be|have been) (?:a lot |much |way |so )?worse\b",
    r"\bat least (?:you|it|they|he|she|your)\b",
    r"\b(?:it'?s|that'?s|this is|it is|that is) (?:not|no) (?:a |that )?(?:big deal|that bad)",
    r"\b(?:it'?s|that'?s|this is|it is|that is) not the end of the world",
    r"\b(?:it'?s|that'?s|this is|it is|that is) not worth (?:crying|worrying|getting upset|stressing)",
    r"\bno big deal\b",
    r"\b(?:you'?re|you are) (?:just )?(?:over ?reacting|over ?thinking|too sensitive|so sensitive)\b",
    r"\b(?:you'?re|you are) (?:just )?being (?:dramatic|silly|ridiculous|too sensitive|oversensitive|paranoid"
    r"|a baby|childish|a drama queen)\b",
    r"\bstop (?:being|making|whining|complaining|crying|feeling sorry|worrying|overthinking|stressing)\b",
    r"\b(?:cheer|lighten|toughen|man|buck) up\b|\bsnap out of\b|\bchin up\b|\bsuck it up\b",
    r"\b(?:don'?t|do not|dont) (?:worry|be sad|be upset|stress|cry|dwell|think about it)",
    r"\b(?:don'?t|do not|dont) let it (?:get|bother)",
    r"\b(?:it'?s|it is) (?:all )?in your head\b|\blook on the bright side\b",
    r"\beveryone (?:feels|goes through|has|gets|deals with) (?:that|this|it|like that|problems)\b",
    r"\b(?:you'?ll|you will|it'?ll|it will|everything will|everything'?s going to|it'?s going to"
    r"|things will) be (?:just )?(?:fine|ok|okay|alright|all right)\b",
    r"\b(?:it'?s|its|that'?s) (?:fine|nothing)(?=\s*(?:$|[.!,;]))",
    r"\bforget (?:about )?(?:it|him|her|them)\b|\blet it go\b|\bget a grip\b",
    r"\btime heals\b|\bthat'?s life\b|\bit is what it is\b",
)

# Arguing with, labelling or lecturing the seeker (MI "confront", "warn", "argue").
CONFRONTATION = _compile(
    r"\b(?:you'?re|you are) (?:wrong|lying|in denial|making excuses|kidding yourself|exaggerating)\b",
    r"\b(?:you'?re|you are) (?:not (?:really )?trying|blowing (?:it|this|things) out of proportion)\b",
    r"\b(?:that'?s|that is|this is) (?:simply |just |totally )?(?:not true|ridiculous|nonsense|absurd|stupid"
    r"|crazy|an excuse|irrational)\b",
    r"\bface (?:the )?(?:facts|reality|the music)\b|\bbe (?:honest|real|realistic) with yourself\b",
    r"\bthe (?:truth|reality|fact) is\b|\blet'?s be (?:honest|real)\b|\bwake up and\b",
    r"\bwhat did you expect\b|\bif you (?:really )?wanted to,? you would\b|\bno excuses?\b",
    r"\bget (?:real|your act together|it together|your life together)\b|\bgrow up\b",
    r"\bwhy (?:didn'?t|can'?t|won'?t) you\b|\bwhy don'?t you just\b",
)

# Blame, moral labels and contempt aimed at the seeker (MI "judge, criticise, blame").
JUDGEMENT = _compile(
    r"\byour (?:own )?fault\b",
    r"\byou (?:brought|did) (?:this|it|that) (?:on|to) yourself\b",
    r"\byou (?:only )?have (?:only )?yourself to blame\b",
    r"\b(?:that'?s|that is|that was|you'?re|you are|you were|you'?re being|you are being|how) "
    r"(?:so |very |really |pretty |being |a bit |kind of |quite |incredibly |extremely )*(?:selfish|lazy|"
    r"stupid|irresponsible|pathetic|weak|immature|childish|foolish|dumb|ungrateful|naive|spoiled|spoilt|"
    r"needy|clingy|entitled|shameful|disgusting|attention[- ]seeking|hypocritical)\b",
    r"\bshame on you\b|\bwhat'?s wrong with you\b|\bwhat were you thinking\b|\bhow could you\b",
    r"\byou should (?:be|feel) (?:ashamed|embarrassed|guilty)\b",
    r"\b(?:i'?m|i am) (?:disappointed|ashamed) in you\b",
    r"\byou deserved? (?:it|this|that|what you got)(?=\s*(?:$|[.!,;]))",
    r"\bsmall mind|\bthat'?s on you\b|\bfrom your side\b|\byou asked for it\b",
    r"\byou'?re (?:a|such a) (?:terrible|bad|awful|horrible|selfish|lazy|loser|failure|coward|idiot|mess"
    r"|baby|drama queen|hypocrite)\b",
)

# A roadblock phrase is the reply's own stance unless it is negated ("it's not your fault") or reports
# what the seeker or others say or feel ("you feel it's your fault", "people tell you to get over it").
_NEGATED = re.compile(r"\b(?:not|never|nobody|none)\b|n't\b|\bno one\b")
_REPORTED = _compile(
    r"\b(?:you|you'?re|you'?ve|yourself|they|people|others|someone|everyone|he|she)\b[^.!?]{0,24}\b(?:feel"
    r"|feels|felt|feeling|think|thinks|thinking|thought|believe|believes|worr\w*|afraid|scared|fear\w*|say"
    r"|says|said|saying|tell|tells|told|telling|blam\w*|hear|heard|call|called|calling|expect\w*"
    r"|want\w*|ask\w*|push\w*|pressur\w*|keep\w*|kept|insist\w*|remind\w*|mak\w*)\b",
    r"\b(?:as if|as though)\b",
)


def _asserted(pattern: re.Pattern[str], text: str) -> str | None:
    normal = normalise(text)
    for match in pattern.finditer(normal):
        clause_start = max(normal.rfind(mark, 0, match.start()) for mark in ".!?;")
        before = normal[max(clause_start + 1, match.start() - 40) : match.start()]
        if not _NEGATED.search(before) and not _REPORTED.search(before):
            return match.group(0)
    return None


def confrontation(text: str) -> str | None:
    """Arguing with, labelling or lecturing the seeker."""
    return _asserted(CONFRONTATION, text)


def dismissal(text: str) -> str | None:
    """Minimising the seeker's experience or hurrying them past it."""
    return _asserted(DISMISSAL, text)


def judgement(text: str) -> str | None:
    """Blame or a moral label for the seeker; "it's not your fault" is not one."""
    return _asserted(JUDGEMENT, text)


_COMMAND_VERBS = "|".join(
    (
        "stop|quit|get|go|take|make|call|tell|leave|dump|break|start|forget|ignore|put|calm|deal|accept",
        "focus|listen|pray|exercise|eat|sleep|drink|avoid|give|keep|move|face|change|cut|confront|find|seek",
        "see|talk|try|write|read|think|remember|buy|ask|breathe|relax|walk|meditate|stay|distract|report",
        "block|delete|apologi[sz]e|reali[sz]e|understand|believe|hang|push|set|use|visit|join|consider|do",
        "don'?t|never|always|be|learn|look|let|reach|contact|speak|grow|man|toughen|snap|shut|cheer|work",
        "sign|schedule|spend|stand|trust|follow|check|search|plan|practi[sc]e|journal|smile",
    )
)
_LEAD_IN = r"(?:(?:so|well|now|ok|okay|please|just|then|first|also|and|but|instead|honestly),? )*"
_IMPERATIVE = re.compile(rf"^{_LEAD_IN}(?:{_COMMAND_VERBS})\b")
# Imperative in form only: courtesies, self-kindness, offers to listen and crisis instructions.
_SOFT_IMPERATIVE = _compile(
    r"^(?:please )?take (?:care|your time|it (?:one|slow|easy|step)|things (?:one|slow)|a moment)",
    r"^(?:please )?(?:let me|let'?s|let yourself|feel free|know that|tell me|go (?:ahead|on)|do you)\b",
    r"^(?:please )?be (?:kind|gentle|patient) (?:with|to) yourself",
    r"^(?:please )?don'?t (?:hesitate|feel (?:like )?you have to)",
    r"^(?:please )?(?:remember,? you'?re not alone|keep (?:in touch|talking)|do what feels|be well\b)",
    r"^(?:please )?(?:see if|look after yourself|stay safe|call or text 988|call 988|text 988)",
    r"^(?:please )?reach out (?:to|if|when|whenever|anytime)",
)
_DIRECTIVE_MODAL = re.compile(
    r"\b(?:you|u) (?:really |definitely |just |seriously |absolutely |simply |honestly )?(?:should"
    r"|must(?! be| have| feel)|need to|needs to|have to|has to|ought to|'?ve got to|have got to|gotta)\b"
    r"(?! (?:(?:be|feel) (?:\w+ )?proud|give yourself (?:credit|a break)|be gentle|be kind)\b)"
)


def directive(text: str) -> str | None:
    """A command aimed at the seeker: "you should/must/need to …" or a sentence opening with an imperative."""
    modal = _search(_DIRECTIVE_MODAL, text)
    if modal:
        return modal
    for sentence in sentences(text):
        if sentence.endswith("?") or _SOFT_IMPERATIVE.search(sentence) or PERMISSION.search(sentence):
            continue
        match = _IMPERATIVE.search(sentence)
        if match:
            return match.group(0)
    return None


# Suggestions and advice (detected to decide whether autonomy support is owed).
ADVICE = _compile(
    r"\b(?:you|u) (?:could|might|can|may) (?:try|consider|want to|think about|start|look|talk|reach|write"
    r"|make|take|find|ask|call|join|set|practi[sc]e|go)\b",
    r"\bhave you (?:tried|considered|thought about|thought of)\b|\bhow about\b",
    r"\bwhat about (?:trying|talking|asking|writing|taking|going|reaching)\b",
    r"\b(?:it )?(?:might|may|could|can|would) (?:help|be (?:helpful|useful|worth|good|a good idea))\b"
    r"(?! to (?:know|remember|hear|understand)\b)",
    r"\b(?:i'?d|i would|i) (?:suggest|recommend|advise|encourage)\b|\bmy (?:advice|suggestion)\b",
    r"\bone (?:option|idea|thing|approach|strategy|step)\b|\bsome people find\b",
    r"\bworth (?:trying|considering)\b",
)
# MI autonomy support: the choice stays the seeker's; tentative offers rather than commands.
PERMISSION = _compile(
    r"\bif you(?:'?d| would)? (?:like|want|wish|feel (?:ready|up to|like))\b|\bonly if\b",
    r"\byou know yourself best\b|\byour (?:own )?pace\b",
    r"\bwhatever (?:\w+ )?(?:you decide|you choose|feels right|works for you|suits you)\b",
    r"\b(?:at|in) (?:your own|whatever|a) (?:pace|time|way) (?:that )?(?:feels|works|suits)\b",
    r"\bit'?s (?:entirely |completely |totally |always )?(?:up to you|your (?:choice|call|decision))\b",
    r"\bwhen you(?:'re| are) ready\b|\b(?:no|there'?s no) (?:pressure|rush)\b|\byou don'?t have to\b",
    r"\b(?:would|could) (?:you|it) (?:be|feel|like|want|consider|help)\b|\bhow does that (?:sound|feel)\b",
    r"\bdoes (?:that|any of (?:that|this|these)|this) (?:sound|seem|feel|fit)\b",
    r"\bwhat do you think\b|\bwhich (?:of these|one|feels|seems|sounds)\b|\bhow would you feel\b",
    r"\b(?:would|are) you (?:be )?open\b|\b(?:can|may) i (?:share|offer|suggest)\b",
    r"\bwould it be okay if\b|\bone option\b|\bsome people find\b|\b(?:might|may) (?:help|be worth|work)\b",
    r"\b(?:you )?(?:could|might|may) (?:try|consider|want|find|look|think)\b|\bperhaps\b|\bmaybe\b",
    r"\bhave you (?:tried|considered|thought)\b",
)


def advice(text: str) -> str | None:
    """A suggestion or piece of advice, in any form."""
    return _search(ADVICE, text)


def autonomy_support(text: str) -> str | None:
    """Language that leaves the choice with the seeker (permission, options, tentative offers)."""
    return _search(PERMISSION, text)


_ASKS_ADVICE = _compile(
    r"\b(?:what|how) (?:should|can|could|do|would) i\b|\bshould i\b",
    r"\bany (?:advice|tips|suggestions|ideas)\b|\bi need (?:advice|help|a plan|ideas)\b",
    r"\b(?:advice|suggestions?|tips|ideas|recommendations?|strategies|techniques|ways) (?:on|for|about|to)\b",
    r"\bwhat (?:would|do) you (?:suggest|recommend|advise|do)\b",
    r"\bhelp me (?:figure|decide|with|to|cope|deal)\b",
    r"\bwhat (?:are|is) (?:some|the best|a good) (?:ways?|things?|steps?)\b|\bwhat can (?:i|be) do(?:ne)?\b",
    r"\bdo you have (?:any )?(?:advice|tips|ideas|suggestions)\b",
    r"\bcan you (?:give|suggest|recommend|tell me how)\b|\bhow (?:do|can|could) (?:i|we|people|someone)\b",
)


def asks_for_advice(seeker: str) -> str | None:
    """The seeker asked for advice, so directive phrasing is solicited rather than imposed."""
    return _search(_ASKS_ADVICE, seeker)


_HEDGE = re.compile(
    r"\b(?:sounds? like|might|may|could|possibl\w*|perhaps|maybe|wonder\w*|worth|professional|doctor"
    r"|therapist|psychiatrist|assess\w*|diagnos\w*|evaluat\w*|can'?t|if you|signs of|symptoms of|whether"
    r"|don'?t|do not|isn'?t|aren'?t|not)\b"
)
_DISORDERS = "|".join(
    (
        r"(?:clinical |severe |major |mild |chronic )?depression|depressive disorder|bipolar(?: disorder)?",
        r"ptsd|c-ptsd|ocd|adhd|bpd|borderline(?: personality disorder)?|schizophrenia|psychosis|autism",
        r"(?:an? )?(?:anxiety|eating|personality|mood|panic|attachment|dissociative) disorder|asperger'?s",
        r"anorexia|bulimia|narcissistic personality disorder|npd|dementia|gad|clinical anxiety",
    )
)
_CLEARLY = r"(?:clearly |definitely |obviously |certainly |just )?"
_OTHERS = (
    r"(?:he|she|they|your (?:partner|husband|wife|boyfriend|girlfriend|mom|mum|mother|dad|father|boss|ex"
    r"|friend|sister|brother|son|daughter|parents?|teacher|colleague|coworker))"
)
_DIAGNOSIS = _compile(
    rf"\byou {_CLEARLY}(?:have|'?ve got|have got|are suffering from|suffer from|are having) (?:a |an )?"
    rf"(?:[a-z-]+ )?(?:{_DISORDERS})\b",
    rf"\byou(?:'re| are) {_CLEARLY}(?:bipolar|schizophrenic|psychotic|autistic|anorexic|bulimic|a narcissist"
    r"|clinically depressed|a sociopath|a psychopath)\b",
    rf"\b{_OTHERS} (?:is|are|'s) {_CLEARLY}(?:an? )?(?:narcissist|narcissistic|sociopath|psychopath|bipolar"
    r"|schizophrenic|psychotic|borderline)\b",
    rf"\bthis is {_CLEARLY}(?:a (?:case|sign) of |classic )(?:{_DISORDERS})",
)
_DRUGS = "|".join(
    (
        "xanax|valium|ativan|klonopin|ambien|melatonin|sertraline|zoloft|prozac|fluoxetine|lexapro",
        "escitalopram|citalopram|paroxetine|paxil|wellbutrin|bupropion|lithium|benadryl|nyquil|diazepam",
        "lorazepam|alprazolam|clonazepam|zolpidem|quetiapine|seroquel|trazodone|venlafaxine|effexor",
        "mirtazapine|adderall|ritalin|sleeping pills?|benzos?|antidepressants?|ssris?",
        "anti-?anxiety (?:meds|medication)",
    )
)
_DOSING = _compile(
    r"\b\d+(?:\.\d+)? ?(?:mg|milligrams?|mcg|micrograms?|ml|pills?|tablets?|capsules?|doses?)\b",
    r"\b(?:increase|decrease|double|halve|raise|lower|up|cut|reduce|adjust|change|skip|stop taking|stop"
    r"|come off|wean off|taper|split) (?:down )?(?:your |the |on )?(?:dose|dosage|doses|meds|medications?"
    r"|pills|antidepressants?|prescription)\b",
    rf"\b(?:take|try|start|use|get|pop|ask for) (?:some |a few |a couple of |an? )?(?:{_DRUGS})\b",
)
# Medication talk is in scope when it routes the seeker to a prescriber or to emergency care.
_PRESCRIBER = re.compile(
    r"\b(?:doctor|prescriber|pharmacist|psychiatrist|gp|physician|nurse|clinician|pharmacy|poison control"
    r"|emergency|911|999|988|a&e|hospital)\b"
)


def out_of_scope(text: str) -> str | None:
    """A diagnosis stated as fact, or medication advice not routed through a prescriber."""
    for sentence in sentences(text):
        match = _DIAGNOSIS.search(sentence)
        if match and not _HEDGE.search(sentence[: match.start()]):
            return match.group(0)
        dose = _DOSING.search(sentence)
        if dose and not _PRESCRIBER.search(sentence):
            return dose.group(0)
    return None


_STOCK = _compile(
    r"\b(?:hi|hello|hey|good (?:morning|afternoon|evening)|how are you(?: doing)?(?: today)?)\b",
    r"\b(?:are you (?:still )?there|nice to (?:meet|talk to|chat with) you|welcome|what about you|and you)\b",
    r"\b(?:ok|okay|i see|i understand|i know|sure|yes|yeah|yep|no|right|alright|hmm+|oh|wow|lol|haha)\b",
    r"\b(?:i'?m|i am) (?:so |very |really |truly )*sorry(?: to hear (?:that|this|about that))?\b",
    r"\bsorry (?:to hear )?(?:about )?(?:that|this)\b|\bthat'?s (?:too )?bad\b|\bthat sucks\b",
    r"\b(?:take care|bye|good ?bye|good luck|have a (?:good|nice|great) (?:day|night|one))\b",
    r"\b(?:thanks?(?: you)?(?: so much)?|you'?re welcome|no problem|i agree|me too|same here)\b",
    r"\bthat'?s (?:great|good|nice|cool|awesome|interesting)\b|\b(?:sir|madam|friend|dear)\b",
)


def specific_words(text: str) -> int:
    """Words left once greetings, fillers and stock sympathy formulas are removed."""
    return len(_WORD.findall(_STOCK.sub(" ", normalise(text))))


_HARM = r"(?:killing|ending|hurting|harming|suicide|taking your|dying|not being|acting)"
_SAFETY_QUESTION = _compile(
    rf"\bare you (?:thinking|having thoughts|feeling like|planning|considering) (?:about |of )?{_HARM}",
    r"\bare you (?:safe|in (?:immediate )?danger|somewhere safe|(?:okay|ok|safe) right now)\b",
    r"\b(?:do|are) you (?:feel(?:ing)? )?safe\b|\bcan you keep yourself safe\b",
    r"\b(?:do|have) you (?:have|made|got) (?:a )?(?:plan|the means|a way)\b",
    rf"\bhave you (?:thought about|considered|been thinking about) {_HARM}",
    r"\bthoughts (?:of|about) (?:suicide|killing|ending your|hurting|harming|dying|self-harm)\b.*\?",
    r"\bare you (?:going to|planning to) (?:hurt|kill|harm|end)\b|\bhave you (?:hurt|harmed) yourself\b",
    r"\bis (?:anyone|someone) (?:with you|nearby|there with you)\b|\bis everyone safe\b",
    r"\bare you (?:at (?:immediate )?risk|thinking (?:about|of) acting|going to act|planning to act)\b",
)
_CRISIS_RESOURCE = _compile(
    r"\b988\b|\b911\b|\b999\b|\b116 ?123\b|\b741741\b|\b(?:call|dial|ring) (?:000|112)\b",
    r"\bcrisis (?:line|hotline|text line|team|service|centre|center|counsell?or)\b",
    r"\b(?:suicide|lifeline) (?:hotline|line|prevention)\b|\blifeline\b|\bsamaritans\b",
    r"\bemergency (?:services|room|department|number)\b|\ba&e\b|\bhotline\b|\bhelpline\b|\bpoison control\b",
)
_PROFESSIONAL = re.compile(
    r"\b(?:therapist|counsell?or|psychologist|psychiatrist|doctor|gp|physician|social worker|clinician"
    r"|mental health (?:professional|provider|service|team|worker)|professional (?:help|support))\b"
)


def asks_about_safety(text: str) -> str | None:
    """A direct question about suicidal thoughts, plans or immediate safety."""
    return _search(_SAFETY_QUESTION, text)


def offers_crisis_help(text: str) -> str | None:
    """A crisis line or emergency service, or else a referral to professional help."""
    return _search(_CRISIS_RESOURCE, text) or _search(_PROFESSIONAL, text)
