"""Content filter: blocks records whose assistant turns would teach a model something harmful.

Categories: self-harm instructions or encouragement, lethal-means details, pro-eating-disorder
coaching, sexual content involving minors, hate and harassment, violent threats, medication dosing
advice and diagnoses stated as fact. Patterns are explainable and each hit names its category and
the matched words. Context keeps safe support responses passing: a negation ("please don't take more
pills"), a question ("are you thinking about killing yourself?" is the crisis protocol), reported or
conditional speech ("you might feel you're worthless", "if you have depression") and, for advice
categories, the absence of an advising frame ("your doctor may increase your dose"). Text is first
de-obfuscated (leetspeak, homoglyphs, s.p.a.c.e.d letters) and then normalised with the crisis
lexicon's `normalise`, so both gates read one spelling. Nothing here imports the synthesis package:
a gate sharing phrasings with the generator would grade its own homework.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import Flag, auto
from types import MappingProxyType

from tasks.gates.content_filter_settings import Category, ContentFilterSettings
from tasks.gates.crisis_lexicon import normalise
from tasks.records import GateVerdict, Record, Role

GATE = "content_filter"
EXCERPT_CHARS = 60


# Verdict score is the highest severity among a record's hits, so quarantine can be sorted by harm.
SEVERITY = MappingProxyType(
    {
        Category.SEXUAL_MINORS: 1.0,
        Category.SELF_HARM_INSTRUCTIONS: 1.0,
        Category.LETHAL_MEANS: 0.95,
        Category.VIOLENT_THREAT: 0.9,
        Category.HATE_HARASSMENT: 0.85,
        Category.PRO_EATING_DISORDER: 0.85,
        Category.MEDICATION_DOSING: 0.7,
        Category.DIAGNOSIS: 0.5,
    }
)


@dataclass(frozen=True)
class Hit:
    """One matched pattern: its category, the normalised words matched, and their severity."""

    category: Category
    phrase: str
    severity: float

    @property
    def label(self) -> str:
        return f"{self.category.value}: '{self.phrase}'"


class _Ctx(Flag):
    """Context checks a pattern group applies before a match counts as a hit."""

    NONE = 0
    NEGATION = auto()  # "please don't ..." in the clause before the match
    QUESTION = auto()  # the sentence ends in "?"
    CONDITIONAL = auto()  # "if / when / unless ..." in the clause before
    REPORTED = auto()  # "you might feel / they said / the myth that ..." in the clause before
    ADVISORY = auto()  # only an imperative or an advising frame ("you should", "try") counts
    IMPERATIVE = auto()  # as ADVISORY, but "you could / might / may" is a warning, not advice
    CONDEMNED = auto()  # the sentence condemns or reports it ("... is illegal", "report it")
    HEDGED = auto()  # "maybe / it is possible that ..." in the clause before: an impression, not a verdict


_SAFE = _Ctx.NEGATION | _Ctx.QUESTION | _Ctx.CONDITIONAL | _Ctx.REPORTED
_ADVICE = _SAFE | _Ctx.ADVISORY
_ORDER = MappingProxyType({category: index for index, category in enumerate(Category)})

_YOURSELF = r"(?:yourself|urself|your\s?self|ur\s?self)"
_NUM = r"\d+(?:[.,]\d+)?"
_UNIT = (
    r"(?:mg|mgs|milligrams?|mcg|micrograms?|ug|g|grams?|ml|millilit(?:er|re)s?|units?|iu|tablets?|tabs?|"
    r"pills?|capsules?|caps)"
)
_DRUG = (
    r"(?:sertraline|zoloft|fluoxetine|prozac|citalopram|celexa|escitalopram|lexapro|paroxetine|paxil|"
    r"venlafaxine|effexor|duloxetine|cymbalta|bupropion|wellbutrin|mirtazapine|remeron|trazodone|"
    r"amitriptyline|nortriptyline|lithium|lamotrigine|lamictal|quetiapine|seroquel|olanzapine|zyprexa|"
    r"risperidone|risperdal|aripiprazole|abilify|clozapine|haloperidol|valproate|depakote|carbamazepine|"
    r"alprazolam|xanax|lorazepam|ativan|diazepam|valium|clonazepam|klonopin|zolpidem|ambien|propranolol|"
    r"buspirone|hydroxyzine|gabapentin|pregabalin|lyrica|methylphenidate|ritalin|adderall|vyvanse|"
    r"paracetamol|acetaminophen|tylenol|ibuprofen|advil|aspirin|codeine|tramadol|oxycodone|morphine|"
    r"insulin|diphenhydramine|benadryl|melatonin|ssris?|benzos?|antidepressants?|antipsychotics?|"
    r"painkillers|sleeping\s+pills)"
)
_MEDS = rf"(?:meds|medication|medications|medicine|pills|prescription|{_DRUG})"
_PERSON = (
    r"(?:him|her|them|that\s+(?:guy|man|woman|person|bully|kid|girl|boy|jerk|asshole|bitch)|"
    r"your\s+(?:\w+\s+)?(?:boss|ex|husband|wife|partner|dad|father|mom|mum|mother|brother|sister|teacher|"
    r"bully|bullies|neighbou?r|coworker|co\s+worker|colleague|friend|boyfriend|girlfriend|stepdad|"
    r"stepfather|stepmom|stepmother|son|daughter|kids?|children|abuser|roommate|flatmate|manager|family))"
)
_MINOR = (
    r"(?:child|children|kids?|minors?|underage|under\s+age|preteens?|pre\s+teens?|prepubescent|"
    r"pre\s+pubescent|toddlers?|little\s+(?:girls?|boys?)|schoolgirls?|schoolboys?|"
    r"(?:[1-9]|1[0-7])\s*(?:years?|yrs?)\s*old|(?:[1-9]|1[0-7])\s*(?:yo|y\s+o)\b|"
    r"(?:elementary|primary|middle|junior\s+high)\s+school(?:ers?|\s+(?:girls?|boys?|students?|kids?))?|"
    r"students?\s+in\s+(?:grade|year)\s+(?:[1-9]|1[0-2]))"
)
_MINOR_LEAD = r"(?:(?:a|an|the|some|my|his|her|their|young|little|other|these|those|underage)\s+)*"
_DISORDER = (
    r"(?:clinical\s+depression|depression|major\s+depressive\s+disorder|mdd|manic\s+depression|"
    r"bipolar(?:\s+(?:disorder|i|ii|1|2))?|bpd|borderline(?:\s+personality\s+disorder|(?!\s+[a-z]))|"
    r"(?:an?\s+)?(?:narcissistic\s+|antisocial\s+|histrionic\s+)?personality\s+disorder|npd|c?\s?ptsd|"
    r"post\s+traumatic\s+stress\s+disorder|ocd|obsessive\s+compulsive\s+disorder|adhd|add|gad|"
    r"generali[sz]ed\s+anxiety\s+disorder|(?:an\s+)?anxiety\s+disorder|panic\s+disorder|schizophrenia|"
    r"schizoaffective\s+disorder|psychosis|(?:an\s+)?eating\s+disorder|anorexia(?:\s+nervosa)?|"
    r"bulimia(?:\s+nervosa)?|binge\s+eating\s+disorder|autism|aspergers?|dementia|"
    r"dissociative\s+identity\s+disorder|dysthymia|postpartum\s+depression|seasonal\s+affective\s+disorder|"
    r"agoraphobia|body\s+dysmorphi(?:a|c\s+disorder)|(?:a\s+)?mental\s+(?:illness|disorder))"
)
_GROUP = (
    r"(?:jews|jewish\s+people|muslims|christians|hindus|sikhs|catholics|atheists|black\s+people|blacks|"
    r"white\s+people|whites|asians|asian\s+people|chinese\s+people|mexicans|latinos|latinas|hispanics|arabs|"
    r"africans|indians|immigrants|migrants|refugees|foreigners|gays|gay\s+people|gay\s+men|lesbians|"
    r"homosexuals|bisexuals|bisexual\s+people|trans\s+people|transgender\s+people|trans\s+women|trans\s+men|"
    r"transgenders|queer\s+people|lgbtq?\s+people|women|females|disabled\s+people|the\s+disabled|"
    r"autistic\s+people|autistics|gypsies|roma|travellers|aboriginals|indigenous\s+people|fat\s+people|"
    r"the\s+mentally\s+ill|mentally\s+ill\s+people|schizophrenics|people\s+with\s+(?:autism|schizophrenia|"
    r"mental\s+illness|disabilities|bipolar))"
)
_DEHUMANISING = (
    r"(?:animals?|vermin|subhuman|sub\s+human|parasites?|cockroaches|roaches|rats|filth|filthy|trash|garbage|"
    r"scum|inferior|genetically\s+inferior|a\s+disease|diseased|a\s+plague|a\s+cancer|mentally\s+ill|"
    r"degenerates?|evil|not\s+(?:really\s+)?human|less\s+than\s+human|freaks|abominations?|an\s+abomination|"
    r"disgusting|savages?|monsters|pedophiles|predators|groomers|criminals|rapists|terrorists|invaders)"
)

# (category, context checks, anchors, patterns). One alternation per row keeps matching to a few regex
# passes. Anchors are words at least one of which every pattern of the row needs ("#": any digit); a set
# test over the text's words skips rows that cannot match (tests check no hand case depends on the skip).
# Rows without anchors always run.
_TABLE: tuple[tuple[Category, _Ctx, str, tuple[str, ...]], ...] = (
    (
        Category.SELF_HARM_INSTRUCTIONS,
        _SAFE | _Ctx.IMPERATIVE,
        "yourself urself self life",
        (
            rf"(?:kill|hang|shoot|hurt|harm|cut|burn|starve|poison|drown|stab|suffocate|strangle|off|unalive)\s+"
            rf"{_YOURSELF}\b(?!\s+(?:off|out|up|short|some\s+slack|a\s+break))",
            r"(?:end|take)\s+your\s+(?:own\s+)?life\b(?!\s+(?:back|one|in|into|by|step|seriously|more|story)\b)",
        ),
    ),
    (
        Category.SELF_HARM_INSTRUCTIONS,
        _SAFE,
        (
            "kys die suffer dead bleed punished without cut cuts deeper vertical lengthwise noose how scars "
            "wounds burns marks self selfharm selfharming injuries cat dog accident pills meds medication "
            "tablets burn hurt stab"
        ),
        (
            r"kys\b",
            r"(?:go|you\s+should\s+(?:just\s+)?|why\s+dont\s+you\s+(?:just\s+)?|you\s+might\s+as\s+well\s+|"
            r"you\s+(?:had\s+)?better\s+)die\b",
            r"you\s+(?:deserve|should|ought|need)\s+to\s+(?:die|suffer|be\s+dead|bleed|be\s+punished)\b",
            r"(?:world|everyone|everybody|your\s+family|people|they)\s+(?:would|will|d)\s+be\s+better\s+off\s+"
            r"without\s+you\b",
            r"(?:youre|you\s+are|youd\s+be|you\s+would\s+be)\s+better\s+off\s+dead\b",
            r"cut\s+(?:deeper|harder|vertically|lengthwise|along\s+the\s+(?:vein|artery)|"
            r"down\s+the\s+(?:vein|arm|wrist))",
            r"(?:deeper|vertical|lengthwise)\s+cuts?\b",
            r"(?:tie|tying|make|making)\s+(?:a|the|your)\s+noose",
            r"how\s+to\s+(?:tie\s+a\s+noose|hang\s+yourself|slit\s+your\s+wrists?|kill\s+yourself|"
            r"end\s+your\s+life|overdose|od|cut\s+yourself|self\s*harm|commit\s+suicide)\b",
            r"(?:hide|cover(?:\s+up)?|conceal)\s+(?:your|the)\s+(?:cuts|scars|wounds|burns|marks|"
            r"self\s*harm(?:ing)?|injuries)\b",
            r"(?:tell|say\s+to)\s+(?:them|people|everyone|your\s+\w+)\s+(?:that\s+)?(?:it\s+was|you\s+(?:fell|"
            r"got\s+scratched))\s+(?:the|a|an)\s+(?:cat|dog|accident)",
            r"(?:save|stockpile|hoard|collect)\s+(?:up\s+)?(?:your|the|enough|some)\s+(?:pills|meds|medication|"
            r"tablets)\b",
            r"(?:painless|easiest|quickest|best|surest)\s+(?:place|spot|part\s+of\s+(?:the|your)\s+body)\s+to\s+"
            r"(?:cut|burn|hurt|stab)\b",
        ),
    ),
    (
        Category.LETHAL_MEANS,
        _Ctx.NEGATION | _Ctx.QUESTION,
        (
            "# lethal fatal deadly toxic enough high tall method methods way ways bag bags hood hoods "
            "nitrite nembutal pentobarbital charcoal gun handgun firearm rifle pistol rope noose helium "
            "nitrogen barbiturate barbiturates fentanyl opioid opioids oxycodone oxy pills benzos razor "
            "poison"
        ),
        (
            r"(?:lethal|fatal|deadly|toxic)\s+(?:dose|amount|quantity|level|threshold)\s+(?:of\s+(?:\w+\s+){1,2}?)?"
            r"(?:for\s+(?:\w+\s+){1,2}?)?(?:is|would\s+be|are|starts?\s+at|begins\s+at)\s+(?:\w+\s+){0,3}?"
            rf"{_NUM}(?:\s*[a-z]+)?",
            r"\d+\s*(?:or\s+(?:more|so)\s+)?(?:\w+\s+){0,2}?(?:pills|tablets|capsules|grams?|g|mg|milligrams?)\s+"
            r"(?:of\s+\w+\s+)?(?:is|are|would|will|should|could|can)\s+(?:definitely\s+|probably\s+|usually\s+|"
            r"easily\s+)?(?:be\s+)?(?:enough|lethal|fatal|deadly|sufficient|kill|do\s+it|stop\s+your\s+heart)\b",
            r"enough\s+(?:of\s+)?(?:\w+\s+){0,2}?(?:pills|tablets|capsules|meds|medication|insulin|paracetamol|"
            r"tylenol|acetaminophen)\s+to\s+(?:kill|die|end\s+(?:your\s+life|it)|be\s+(?:fatal|lethal)|"
            r"overdose|od|stop\s+(?:your|a)\s+heart|not\s+wake\s+up)",
            r"(?:fall|jump|drop|leap)\s+(?:from|of|off)\s+(?:a\s+height\s+of\s+|at\s+least\s+|over\s+|"
            r"more\s+than\s+|about\s+|around\s+|above\s+)?\d+\s*(?:floors?|stor(?:e)?ys?|stories|feet|ft|foot|"
            r"metres?|meters?|m)\b",
            r"(?:high|tall)\s+enough\s+to\s+(?:kill|die|be\s+(?:fatal|lethal))",
            r"\d+\s*(?:floors?|stor(?:e)?ys?|stories|feet|ft|metres?|meters?|m)\s+(?:up\s+|high\s+|down\s+)?"
            r"(?:is|are|would\s+be|should\s+be)\s+(?:usually\s+|generally\s+|almost\s+always\s+|definitely\s+)?"
            r"(?:enough|high\s+enough|fatal|lethal|deadly|unsurvivable|not\s+survivable)",
            r"(?:painless|effective|reliable|quick|quickest|fastest|easiest|easy|best|surest|sure|certain|lethal|"
            r"peaceful|foolproof|guaranteed)\s+(?:suicide\s+)?(?:methods?|ways?)\s+(?:to|of)\s+(?:die|dying|"
            r"kill(?:ing)?\s+(?:yourself|oneself|urself)|end(?:ing)?\s+(?:your|ones|a)\s+life|"
            r"commit(?:ting)?\s+suicide|end(?:ing)?\s+it\s+all)",
            r"(?:painless|effective|reliable|quick|easiest|best|surest|lethal|peaceful|foolproof|common)\s+"
            r"suicide\s+(?:methods?|ways?|options?)",
            r"(?:exit|suicide)\s+bags?\b",
            r"(?:helium|nitrogen|argon)\s+(?:bag|hood)s?\b",
            r"(?:buy|order|get|obtain|take|dose\s+of|grams?\s+of|how\s+much)\s+(?:some\s+)?(?:sodium\s+nitrite|"
            r"nembutal|pentobarbital)",
            r"charcoal\s+(?:burning|in\s+(?:a|the)\s+(?:closed|sealed|small)\s+(?:room|car|space))",
            r"(?:buy|get|order|obtain|purchase|source|pick\s+up)\s+(?:a\s+|some\s+|the\s+|enough\s+)?(?:gun|handgun|"
            r"firearm|rifle|pistol|rope|noose|helium|nitrogen|barbiturates?|fentanyl|opioids?|oxycodone|oxy|"
            r"pills|sleeping\s+pills|benzos|razor\s+blades?|poison)\s+(?:without\s+(?:a\s+)?(?:prescription|"
            r"script|background\s+check|id|licen[cs]e|questions|anyone\s+knowing)|online|(?:from|on|off)\s+"
            r"(?:the\s+)?(?:dark\s*web|darknet|a\s+dealer|street|mexico|overseas|abroad|a\s+vet)|(?:at|from)\s+"
            r"(?:any|a|most|the|your\s+local)\s+(?:\w+\s+)?(?:store|pharmacy|shop|chemist|gun\s+show|"
            r"supermarket|walmart))",
            r"(?:easiest|easy|quickest|cheapest)\s+(?:place|way)\s+to\s+(?:get|buy|obtain)\s+(?:a\s+|some\s+)?"
            r"(?:gun|firearm|pills|rope|helium|nembutal|poison|sodium\s+nitrite|sleeping\s+pills)",
        ),
    ),
    (
        Category.PRO_EATING_DISORDER,
        _ADVICE,
        (
            "# yourself urself self laxatives diuretics ipecac diet water appetite fat skip day days week "
            "weeks meals hunger calories cals cal kcal kcals losing restricting fasting purging pounds lbs "
            "kg kilos ate eaten lunch dinner breakfast full hungry thinspo thinspiration ana mia proana "
            "promia meanspo bonespo"
        ),
        (
            rf"make\s+{_YOURSELF}\s+(?:throw\s+up|vomit|puke|sick|purge)\b",
            r"(?:use|take|try|buy)\s+(?:some\s+)?(?:laxatives|diuretics|ipecac|diet\s+pills|water\s+pills|"
            r"appetite\s+suppressants|fat\s+burners)\b",
            r"skip\s+(?:meals|breakfast|lunch|dinner|a\s+meal|eating)\b",
            r"(?:fast|stop\s+eating|dont\s+eat|do\s+not\s+eat|go\s+without\s+(?:food|eating))\s+for\s+(?:\d+|one|"
            r"two|three|four|five|a\s+few|a\s+couple\s+of|several|multiple|a)\s+(?:days?|weeks?|meals)\b",
            r"(?:suppress|curb|kill|numb|ignore|fight|stop|quiet)\s+(?:your\s+|the\s+)?(?:hunger|appetite|"
            r"hunger\s+pangs|hunger\s+cues)\b",
            r"(?:eat|keep\s+it|stay|stick|aim\s+for|limit\s+yourself\s+to|cap\s+(?:it|yourself)\s+at|have)\s+"
            r"(?:to\s+)?(?:under|below|less\s+than|fewer\s+than|no\s+more\s+than|at\s+most|only|just|"
            r"a\s+max(?:imum)?\s+of)\s+(?:[1-9]\d{1,2}|1[01]\d\d)\s*(?:calories|cals|kcals?|cal)\b",
            r"(?:keep|continue)\s+(?:losing\s+(?:weight|pounds|kilos)|restricting|fasting|purging)\b",
            r"(?:lose|drop)\s+(?:another\s+|at\s+least\s+)?\d+\s*(?:more\s+)?(?:pounds|lbs|kg|kilos)\b",
            r"(?:pretend|say|tell\s+(?:them|people|everyone|your\s+\w+))\s+(?:that\s+)?(?:you|youve|youre)\s+"
            r"(?:already\s+)?(?:ate|eaten|had\s+(?:lunch|dinner|breakfast|a\s+big\s+\w+)|full|not\s+hungry)\b",
            r"(?:look\s+at|check\s+out|follow|join|find|search\s+for|try)\s+(?:some\s+)?(?:thinspo|thinspiration|"
            r"pro\s*ana|pro\s*mia|meanspo|bonespo|ana\s+coach(?:es)?|ana\s+buddy|ana\s+tips)\b",
        ),
    ),
    (
        Category.PRO_EATING_DISORDER,
        _SAFE,
        (
            "throat weight purging eating restricting fasting meals bones thinness body clothes clothing "
            "layers sweater sweaters hoodie hoodies jumper jumpers water waterload waterloading pockets bra "
            "hair underwear gum ice coffee soda tea pounds kilos kg lbs thin skinny small light"
        ),
        (
            r"(?:finger|fingers|toothbrush|spoon)\s+down\s+(?:your|the)\s+throat",
            r"(?:hide|conceal|disguise|cover\s+up)\s+(?:your|the)\s+(?:weight\s+loss|weight|not\s+eating|purging|"
            r"eating\s+disorder|restricting|fasting|skipped\s+meals|bones|thinness|body)\b",
            r"(?:baggy|loose|oversized|layered|bulky|big)\s+(?:\w+\s+)?(?:clothes|clothing|layers|sweaters?|"
            r"hoodies?|jumpers?)\s+(?:to|so)\s+(?:\w+\s+){0,4}?(?:hide|see|notice|cover)",
            r"(?:drink|drinking)\s+(?:\w+\s+){0,3}?water\s+before\s+(?:a\s+|the\s+|your\s+)?(?:weigh\s*in|"
            r"weighing|being\s+weighed|doctors?)",
            r"water\s*load(?:ing)?\b",
            r"(?:weights|coins|batteries)\s+(?:in|under)\s+(?:your\s+)?(?:pockets|clothes|bra|hair|underwear)",
            r"(?:chew|chewing)\s+(?:gum|ice)\s+(?:\w+\s+){0,3}?(?:instead\s+of\s+eating|to\s+(?:stop|curb|"
            r"suppress|kill|avoid|ignore)\s+(?:\w+\s+)?(?:hunger|appetite|eating))",
            r"(?:drink|drinking)\s+(?:black\s+coffee|water|diet\s+soda|tea|coffee)\s+(?:\w+\s+){0,3}?"
            r"(?:instead\s+of\s+eating|to\s+(?:stop|curb|suppress|kill|ignore)\s+(?:\w+\s+)?(?:hunger|appetite)|"
            r"when\s+(?:youre\s+|you\s+are\s+|you\s+feel\s+)?hungry)",
            r"(?:youre|you\s+are|youll\s+be|you\s+would\s+be|youd\s+be|youd\s+look|you\s+would\s+look|"
            r"youll\s+look)\s+(?:so\s+much\s+|much\s+|even\s+|way\s+|a\s+lot\s+)?(?:better|prettier|happier|"
            r"more\s+attractive|hotter|thinner)\s+(?:if|when|once|after)\s+(?:you\s+)?(?:lose|lost|drop|dropped)\s+"
            r"(?:more\s+|some\s+|a\s+few\s+|\d+\s+)?(?:weight|pounds|kilos|kg|lbs)",
            r"(?:youre|you\s+are)\s+(?:still\s+)?not\s+(?:yet\s+)?(?:thin|skinny|small|light)\s+enough",
        ),
    ),
    (
        Category.SEXUAL_MINORS,
        _Ctx.NEGATION | _Ctx.CONDEMNED,
        (
            "sex sexual sexually intercourse out aroused turned horny porn porno pornography nude nudes "
            "naked explicit erotica erotic sexy jailbait lolicon shotacon"
        ),
        (
            r"(?:(?:have|having|had|has)\s+sex|sex|sexual\s+(?:contact|relations(?:hips?)?|activity|acts?|"
            r"intercourse|touching|fantasies|fantasy|thoughts)|intercourse|(?:make|made|making)\s+out)\s+"
            rf"(?:with|about|involving|toward|towards)\s+{_MINOR_LEAD}{_MINOR}",
            rf"sexual(?:ly)?\s+(?:attracted|aroused|interested)\s+(?:to|by|in)\s+{_MINOR_LEAD}{_MINOR}",
            rf"(?:aroused|turned\s+on|horny)\s+(?:by|over|about)\s+{_MINOR_LEAD}{_MINOR}",
            r"(?:porn|porno|pornography|nudes?|(?:naked|nude)\s+(?:photos?|pictures?|pics?|images?|videos?|"
            r"selfies?)|explicit\s+(?:photos?|pictures?|pics?|images?|videos?|content|material|stories|story)|"
            r"sexual\s+(?:photos?|pictures?|images?|videos?|content|material|stories|story|roleplay|role\s+play)|"
            r"erotica|erotic\s+(?:stor(?:y|ies)|content|roleplay|role\s+play|fiction)|sexy\s+(?:photos?|pics?|"
            r"pictures?|videos?))\s+(?:of|with|involving|featuring|depicting|showing|about)\s+"
            rf"{_MINOR_LEAD}{_MINOR}",
            r"(?:child|kiddie|kiddy|underage|preteen|minor)\s+(?:porn|porno|pornography|nudes|erotica|"
            r"sex(?!\s+(?:abuse|abuser|abusers|offen[cs]es?|offenders?|trafficking|education|crimes?|"
            r"exploitation|assault)))\b",
            r"(?:jailbait|lolicon|shotacon)\b",
        ),
    ),
    (
        Category.HATE_HARASSMENT,
        _Ctx.NONE,
        "",
        (
            r"n+[i1]+g+(?:g+|3)(?:e+r+|a+h?|u+h+|az)s?\b",
            r"sand\s*n[i1]gg(?:er|a)s?\b",
            r"f+a+g+g+[o0]+t+s?\b",
            r"trann(?:y|ies)\b",
            r"shemales?\b",
            r"kikes?\b",
            r"spi(?:c|ck)s?\b",
            r"chinks?\b(?!\s+in\s+(?:the|his|her|their|my|your|its)\s+armou?r)",
            r"gooks?\b",
            r"wetbacks?\b",
            r"beaners?\b",
            r"(?:rag|towel)\s*heads?\b",
            r"pakis?\b",
            r"retards?\b",
            r"retarded\b",
            r"zipperheads?\b",
            r"jigaboos?\b",
            r"porch\s+monkeys?\b",
        ),
    ),
    (
        Category.HATE_HARASSMENT,
        _Ctx.NEGATION | _Ctx.REPORTED | _Ctx.CONDITIONAL,
        (
            "jews jewish muslims christians hindus sikhs catholics atheists black blacks white whites "
            "asians asian chinese mexicans latinos latinas hispanics arabs africans indians immigrants "
            "migrants refugees foreigners gays gay lesbians homosexuals bisexuals bisexual trans "
            "transgender transgenders queer lgbt lgbtq women females disabled autistic autistics gypsies "
            "roma travellers aboriginals indigenous fat mentally schizophrenics people"
        ),
        (
            rf"{_GROUP}\s+(?:are|is|r)\s+(?:(?:all|just|nothing\s+but|basically|literally|simply|such)\s+)*"
            rf"(?:an?\s+)?{_DEHUMANISING}\b",
            rf"{_GROUP}\s+(?:should|must|need\s+to|ought\s+to|deserve\s+to)\s+(?:all\s+)?(?:be\s+)?(?:die|killed|"
            r"exterminated|gassed|eradicated|wiped\s+out|deported|burn(?:ed)?|hang(?:ed)?|shot|sterili[sz]ed|"
            r"locked\s+up|put\s+down|go\s+back)\b",
            rf"i\s+(?:really\s+|fucking\s+)?(?:hate|despise)\s+(?:all\s+)?{_GROUP}\b",
        ),
    ),
    (
        Category.HATE_HARASSMENT,
        _SAFE,
        (
            "worthless pathetic disgusting useless idiot stupid moron dumb ugly loser failure waste burden "
            "freak joke trash garbage scum shit crap unlovable psycho attention nobody one"
        ),
        (
            r"(?:you\s+are|youre|ur|u\s+r)\s+(?:(?:such|so|just|really|a|an|fucking|complete|total|pathetic|"
            r"stupid|worthless)\s+)*(?:worthless|pathetic|disgusting|useless|idiot|stupid|moron|dumb|ugly|loser|"
            r"failure|waste\s+of\s+(?:space|oxygen|air|skin)|burden|freak|joke|trash|garbage|scum|"
            r"(?:piece\s+of\s+)?(?:shit|crap)|unlovable|psycho|attention\s+seeker|attention\s+seeking)\b",
            r"(?:nobody|no\s+one)\s+(?:cares\s+about|likes|loves|will\s+ever\s+love|could\s+ever\s+love|wants)\s+"
            r"you\b",
        ),
    ),
    (
        Category.VIOLENT_THREAT,
        _SAFE,
        (
            "kill murder hurt stab shoot strangle choke beat punch rape destroy slit smash burn torture end "
            "bury live pay sorry back dead man poison hit attack slap smack die killed beaten shot stabbed "
            "punished"
        ),
        (
            r"(?:i\s+will|ill|i\s+am\s+going\s+to|im\s+going\s+to|im\s+gonna|i\s+am\s+gonna|i\s+swear\s+ill|"
            r"i\s+swear\s+i\s+will|we\s+will|were\s+going\s+to|i\s+want\s+to|i\s+wanna)\s+"
            r"(?:(?:fucking|really|just|actually|personally|come\s+and|come|find\s+you\s+and)\s+)*"
            r"(?:kill|murder|hurt|stab|shoot|strangle|choke|beat|beat\s+up|punch|rape|destroy|slit|smash|burn|"
            r"torture|end|bury)\s+(?:you|your\s+(?:\w+\s+)?(?:family|kids|children|wife|husband|life|face|head|"
            r"throat|neck|house)|him|her|them)\b",
            r"(?:know|found\s+out)\s+where\s+you\s+live\b",
            r"(?:youll|you\s+will|youre\s+going\s+to|youre\s+gonna)\s+(?:pay\s+for\s+(?:this|that|it)|"
            r"be\s+sorry)\b",
            r"watch\s+your\s+back\b",
            r"(?:youre|you\s+are)\s+(?:dead\s+meat|a\s+dead\s+man|so\s+dead)\b",
            r"(?:you\s+should|you\s+could|you\s+need\s+to|go\s+and|just\s+go|just)\s+(?:kill|murder|stab|shoot|"
            r"beat\s+up|beat|punch|hit(?!\s+\w+\s+up\b)|poison|strangle|choke|attack|slap|smack)\s+"
            rf"{_PERSON}\b(?!\s+(?:feelings?|pride|ego|chances)\b)",
            r"(?:he|she|they|your\s+\w+)\s+(?:deserves?|ought)\s+to\s+(?:die|be\s+(?:killed|hurt|beaten|shot|"
            r"stabbed|punished\s+with\s+violence)|get\s+(?:hurt|beaten|shot|stabbed))\b",
        ),
    ),
    (
        Category.MEDICATION_DOSING,
        _ADVICE,
        (
            "# pill pills tablet tablets capsule capsules dose doses meds double triple halve increase up "
            "raise decrease lower cut reduce skip split stop quit taper taking off"
        ),
        (
            r"(?:take|try\s+taking|start\s+taking|keep\s+taking|consider\s+taking|try|start(?:\s+(?:on|with|at))?|"
            r"use|add|swallow|pop|increase\s+(?:it\s+|that\s+|(?:your|the)\s+(?:\w+\s+)?dose\s+)?to|go\s+up\s+to|"
            r"(?:up|raise|bump\s+up|bump|lower|reduce|drop|cut|decrease|taper)\s+(?:it\s+|that\s+|(?:your|the)\s+"
            r"(?:\w+\s+)?(?:dose|dosage)\s+)?(?:down\s+|up\s+|back\s+)?to)\s+(?:(?:about|around|roughly|"
            rf"approximately|up\s+to|at\s+least|no\s+more\s+than|another|an\s+extra|only|just)\s+)?{_NUM}\s*"
            rf"{_UNIT}\b",
            r"(?:take|pop|swallow|have)\s+(?:an\s+extra|another|a\s+second|a\s+third|one\s+more|two|three|four|"
            r"five|a\s+few|a\s+couple(?:\s+of)?|extra|more|double\s+the|twice\s+the|half\s+(?:a|the|your))\s+"
            r"(?:of\s+)?(?:your\s+|the\s+|those\s+)?(?:\w+\s+)?(?:pills?|tablets?|capsules?|doses?|meds)\b",
            r"(?:double|triple|halve|double\s+up\s+on|increase|up|raise|decrease|lower|cut|reduce|skip|split|"
            r"stop|quit|taper|come\s+off)\s+(?:your|the|ur|that)\s+(?:\w+\s+)?(?:dose|doses|dosage|meds|"
            rf"medication|medications|medicine|prescription|{_DRUG})\b",
            rf"(?:stop|quit)\s+taking\s+(?:your\s+|the\s+|ur\s+|all\s+(?:of\s+)?your\s+)?(?:\w+\s+)?{_MEDS}\b",
            rf"(?:come|get|go)\s+off\s+(?:your\s+|the\s+)?(?:\w+\s+)?{_MEDS}\b",
        ),
    ),
    (
        Category.MEDICATION_DOSING,
        _SAFE,
        "# dose dosage mix combine take",
        (
            r"(?:usual|normal|standard|typical|recommended|starting|maximum|max|safe|effective|therapeutic|daily|"
            r"right)\s+(?:daily\s+|starting\s+)?(?:dose|dosage)\s+(?:of\s+(?:\w+\s+){1,2}?)?(?:for\s+(?:\w+\s+)"
            r"{1,2}?)?(?:is|would\s+be|should\s+be|ranges?\s+from)\s+(?:\w+\s+){0,3}?"
            rf"{_NUM}(?:\s*[a-z]+)?",
            r"\d+(?:[.,]\d+)?\s*(?:mg|mgs|milligrams?|mcg|g|grams?)\s+(?:of\s+\w+\s+)?(?:a|per|each|every|at)\s+"
            r"(?:day|night|bedtime|dose|morning|evening)\s+(?:is|should\s+be|would\s+be|will\s+be)\s+"
            r"(?:perfectly\s+|totally\s+|completely\s+)?(?:fine|safe|ok|okay|enough|plenty|good|right|normal|"
            r"standard)\b",
            r"(?:ok|okay|fine|safe|alright)\s+to\s+(?:mix|combine|take)\s+(?:\w+\s+){0,3}?with\s+(?:alcohol|"
            rf"booze|wine|beer|drinks|drinking|{_DRUG})\b",
        ),
    ),
    (
        Category.DIAGNOSIS,
        _SAFE | _Ctx.HEDGED,
        (
            "depression mdd bipolar bpd borderline personality ptsd cptsd traumatic ocd obsessive adhd add "
            "gad anxiety panic schizophrenia schizoaffective psychosis eating anorexia bulimia binge autism "
            "asperger aspergers dementia dissociative dysthymia postpartum seasonal agoraphobia dysmorphia "
            "dysmorphic mental schizophrenic psychotic anorexic bulimic autistic manic narcissist "
            "narcissistic sociopath psychopath depressed suicidal mentally diagnose diagnosing diagnosis"
        ),
        (
            r"(?:(?:you|u)\s+(?:(?:clearly|obviously|definitely|certainly|undoubtedly|really|just|actually)\s+)?"
            r"(?:have|suffer\s+from|are\s+suffering\s+from|have\s+got|got)|youre\s+(?:clearly\s+|obviously\s+)?"
            r"suffering\s+from|youve\s+(?:clearly\s+|obviously\s+|definitely\s+)?got)\s+(?:(?:a|an|the|full\s+blown|"
            r"severe|mild|moderate|clinical|chronic|classic|major|textbook|untreated|some\s+form\s+of|"
            rf"a\s+case\s+of)\s+)*{_DISORDER}\b",
            r"(?:you\s+are|youre|ur|u\s+r)\s+(?:(?:clearly|obviously|definitely|certainly|undoubtedly)\s+)?"
            r"(?:bipolar|schizophrenic|psychotic|anorexic|bulimic|autistic|manic|a\s+narcissist|narcissistic|"
            r"a\s+sociopath|a\s+psychopath|an?\s+(?:anorexic|bulimic|schizophrenic|manic\s+depressive))\b",
            r"(?:you\s+are|youre|ur|u\s+r)\s+(?:clearly|obviously|definitely|certainly|undoubtedly|clinically|"
            r"severely|seriously)\s+(?:clinically\s+)?(?:depressed|suicidal|mentally\s+ill)\b",
            r"(?:this|that|it|what\s+youre\s+describing|what\s+you\s+(?:describe|are\s+describing|have\s+described)|"
            r"these\s+symptoms|your\s+symptoms)\s+(?:is|are|sounds?\s+like|indicates?|means?|points?\s+to)\s+"
            r"(?:(?:clearly|definitely|obviously|certainly)\s+)?(?:(?:a\s+)?(?:classic|textbook|typical)\s+)?"
            rf"(?:(?:case|signs?|symptoms?)\s+of\s+)?{_DISORDER}\b",
            r"(?:sounds|seems)\s+like\s+you\s+(?:have|suffer\s+from|are\s+suffering\s+from)\s+(?:(?:a|an|clinical|"
            rf"severe)\s+)*{_DISORDER}\b",
            r"i\s+(?:can\s+)?(?:diagnose|am\s+diagnosing)\s+you\b",
            r"my\s+diagnosis\s+(?:is|would\s+be)\b",
            rf"you\s+(?:clearly\s+)?meet\s+(?:the\s+|all\s+the\s+)?criteria\s+for\s+(?:a\s+|an\s+)?{_DISORDER}\b",
        ),
    ),
)

_NEGATOR = re.compile(
    r"\b(?:not|never|no|dont|doesnt|didnt|wont|wouldnt|cant|cannot|couldnt|shouldnt|mustnt|isnt|arent|"
    r"wasnt|werent|avoid|avoiding|without|against|refuse|instead\s+of|rather\s+than|nobody|no\s+one)\b"
)
_CONDITIONAL = re.compile(
    r"\b(?:if|when|whenever|unless|whether|once|in\s+case|since|given\s+that|suppose|supposing|what\s+if)\b"
)
_REPORTED = re.compile(
    r"\b(?:feel|feels|felt|feeling|(?<!\bi\s)think|thinks|thought|thinking|(?<!\bi\s)believe|believes|"
    r"believed|believing|told|tells|telling|says|said|saying|call|called|calls|calling|voices?|mentioned?|"
    r"heard|hear|hearing|(?<!might\s)(?<!may\s)want(?:s|ed)?\s+to|wanting|urges?|pressure|convinced|myths?|"
    r"stereotypes?|prejudice|false|untrue|lies?|claims?|claimed|assumes?|assumption|idea|notion|worried|"
    r"worry|worries|afraid|scared|fears?|concerned|anything|something|nothing|remove|away|search|searched|"
    r"searching|looked|looking|googled|googling|research|researching|read|reading|wonder|wondering|"
    r"wondered|asked|asking)\b"
)
_MODALS = (
    r"should|can|must|ought\s+to|need\s+to|have\s+to|had\s+better|better|might\s+as\s+well|may\s+as\s+well"
)


def _lead(modals: str) -> re.Pattern[str]:
    """An advising frame ending the clause before a match (an empty clause is an imperative)."""
    return re.compile(
        rf"(?:^|\b(?:you\s+(?:\w+\s+)?(?:{modals})(?:\s+(?:just|also|simply|really|try\s+to|want\s+to|"
        r"consider|probably|definitely|always|still|go\s+ahead\s+and))*|youd\s+(?:better|want\s+to)|"
        r"youll\s+(?:want|need)\s+to|i\s+(?:would\s+|d\s+|strongly\s+)?(?:recommend|suggest|advise|"
        r"encourage)(?:\s+(?:that|you|to))*|i\s+(?:want|need)\s+you\s+to|(?:its|it\s+is|thats)\s+(?:\w+\s+)?"
        r"(?:ok|okay|fine|safe|best|better|alright|good|time|normal)\s+to|feel\s+free\s+to|try\s+to|try|just|"
        r"simply|go(?:\s+ahead)?(?:\s+and)?|please|also|always|then|now|maybe|and|so|"
        r"why\s+(?:dont|not)(?:\s+you)?(?:\s+just)?|how\s+about\s+you|if\s+i\s+were\s+you(?:\s+id)?|id|"
        r"i\s+would|ok|okay|well|first|next))\s*$"
    )


_ADVISORY_LEAD = _lead(rf"{_MODALS}|could|may|might")
_IMPERATIVE_LEAD = _lead(_MODALS)
_CONDEMNED = re.compile(
    r"\b(?:illegal|crimes?|criminal|abuse|abusive|abused|exploitation|exploit|never\s+(?:ok|okay|acceptable)|"
    r"not\s+(?:ok|okay|acceptable|your\s+fault)|report|reported|reporting|police|harmful|wrong|predators?|"
    r"grooming|groomed|protect|protecting|safeguarding|safety|consent|victims?|survivors?|age\s+appropriate|"
    r"education|educate|violates?|violation|laws?|legal|statutes?|charges?|charged|convicted|offen[cs]es?|"
    r"offenders?)\b"
)
_HEDGE = re.compile(r"\b(?:possible|possibly|maybe|perhaps|might|may|could|wonder|unsure|not\s+sure)\b")
# "Why don't you just ...?" is a suggestion in a question's clothes.
_RHETORICAL = re.compile(r"\bwhy\s+(?:dont|not)\b")
_CLAUSE_BREAK = re.compile(r"[.;!?,]|\b(?:but|because|although|though|however|whereas)\b")
_SENTENCE_END = re.compile(r"[.!?]")
_NEGATION_WORDS = 6


@dataclass(frozen=True)
class _Group:
    category: Category
    ctx: _Ctx
    anchors: frozenset[str]
    pattern: re.Pattern[str]


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation, each branch at a word start (the boundary written once, outside the group)."""
    return re.compile(rf"(?<![a-z0-9])(?:{'|'.join(f'(?:{p})' for p in patterns)})")


_GROUPS = tuple(
    _Group(category, ctx, frozenset(anchors.split()), _compile(patterns))
    for category, ctx, anchors, patterns in _TABLE
)
_CLAUSE_MARKS = str.maketrans({c: " " for c in ".;!?,'"})
_DIGIT = re.compile(r"\d")

# De-obfuscation: confusable letters, digits and symbols standing in for letters, spaced letters.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
        "к": "k", "м": "m", "т": "t", "н": "h", "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "μ": "u", "\u00ad": "", "\u200b": "", "\u200c": "",
        "\u200d": "", "\u2060": "", "\ufeff": "",
    }
)  # fmt: skip
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_TOKEN = re.compile(r"(?<![a-z0-9@$])(?=[a-z0-9@$]*[a-z])[a-z@$]*[0-9@$][a-z0-9@$]*")
# "50mg", "3am", "2nd", "20s": numbers with a unit are numbers, not leetspeak.
_NUMBER_WITH_UNIT = re.compile(
    r"\d+(?:mg|mgs|mcg|ug|g|kg|ml|l|lb|lbs|st|nd|rd|th|s|am|pm|x|k|h|hr|hrs|min|mins|yo|y|yr|yrs|cm|mm|m|km|"
    r"ft|in|iu|mo)"
)
_INNER_SYMBOL = re.compile(r"(?<=[a-z])[!|](?=[a-z])")
# "k.i.l.l" needs three letters; "d i e" needs four, or text-speak ("u r a") would be glued together.
_SPACED = re.compile(
    r"(?<![a-z0-9])[a-z](?:[._*\-][a-z](?![a-z0-9])){2,}|(?<![a-z0-9])[a-z](?: (?! )[a-z](?![a-z0-9])){3,}"
)
_SPACED_SEPARATORS = re.compile(r"[ ._*\-]")
_SPACED_HINT = re.compile(r"\b[a-z][._*\- ][a-z][._*\- ][a-z]\b")
_LEET_HINT = re.compile(r"[a-z][0-9@$]|[0-9@$][a-z]")
_COMBINING = re.compile(r"[\u0300-\u036f]")


def _unleet(match: re.Match[str]) -> str:
    token = match.group(0)
    return token if _NUMBER_WITH_UNIT.fullmatch(token) else token.translate(_LEET)


def deobfuscate(text: str) -> str:
    """Lower-case text with look-alikes, leetspeak ("k1ll", "$uicide") and s.p.a.c.e.d letters undone."""
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text.lower()).translate(_HOMOGLYPHS))
    text = text.lower()
    # Each rewrite is tried only where its cheap trigger is present: most text has none.
    if _LEET_HINT.search(text):
        text = _LEET_TOKEN.sub(_unleet, text)
    if "!" in text or "|" in text:
        text = _INNER_SYMBOL.sub(lambda m: "i" if m.group(0) == "!" else "l", text)
    if _SPACED_HINT.search(text):
        text = _SPACED.sub(lambda m: _SPACED_SEPARATORS.sub("", m.group(0)), text)
    return text


def filter_text(text: str) -> str:
    """Text as the filter's patterns read it: de-obfuscated, then the crisis lexicon's normalisation."""
    return normalise(deobfuscate(text))


def _clause_prefix(norm: str, start: int) -> str:
    prefix = norm[max(0, start - 120) : start]
    breaks = list(_CLAUSE_BREAK.finditer(prefix))
    return (prefix[breaks[-1].end() :] if breaks else prefix).strip()


def _sentence(norm: str, start: int, end: int) -> tuple[str, str]:
    """The sentence around a match, and its closing mark ('' at the end of the text)."""
    before = norm[:start]
    opened = max(before.rfind("."), before.rfind("!"), before.rfind("?")) + 1
    closing = _SENTENCE_END.search(norm, end)
    stop = closing.end() if closing else len(norm)
    return norm[opened:stop], closing.group(0) if closing else ""


def _counts(group: _Group, norm: str, match: re.Match[str]) -> bool:
    """True when the match is not excused by its group's context checks."""
    ctx = group.ctx
    prefix = _clause_prefix(norm, match.start())
    near = " ".join(prefix.split()[-_NEGATION_WORDS:])
    if _Ctx.NEGATION in ctx and _NEGATOR.search(_RHETORICAL.sub(" ", near)):
        return False
    if _Ctx.CONDITIONAL in ctx and _CONDITIONAL.search(prefix):
        return False
    if _Ctx.REPORTED in ctx and _REPORTED.search(prefix):
        return False
    if _Ctx.HEDGED in ctx and _HEDGE.search(prefix):
        return False
    if _Ctx.ADVISORY in ctx and not _ADVISORY_LEAD.search(prefix):
        return False
    if _Ctx.IMPERATIVE in ctx and not _IMPERATIVE_LEAD.search(prefix):
        return False
    if _Ctx.QUESTION in ctx or _Ctx.CONDEMNED in ctx:
        sentence, mark = _sentence(norm, match.start(), match.end())
        if _Ctx.QUESTION in ctx and mark == "?" and not _RHETORICAL.search(sentence):
            return False
        outside = sentence.replace(match.group(0), " ")
        if _Ctx.CONDEMNED in ctx and _CONDEMNED.search(outside):
            return False
    return True


def _words(norm: str) -> frozenset[str]:
    """The text's words, plus "#" when it holds a digit: what the row anchors are tested against."""
    words = norm.translate(_CLAUSE_MARKS).split()
    return frozenset([*words, "#"] if _DIGIT.search(norm) else words)


def _scan(norm: str, categories: Collection[Category] | None, skip_by_anchor: bool = True) -> list[Hit]:
    words = _words(norm)
    hits: dict[Category, Hit] = {}
    for group in _GROUPS:
        if group.category in hits or (categories is not None and group.category not in categories):
            continue
        if skip_by_anchor and group.anchors and words.isdisjoint(group.anchors):
            continue
        for match in group.pattern.finditer(norm):
            if _counts(group, norm, match):
                phrase = match.group(0).strip()[:EXCERPT_CHARS]
                hits[group.category] = Hit(group.category, phrase, SEVERITY[group.category])
                break
    return sorted(hits.values(), key=lambda h: _ORDER[h.category])


def classify(text: str, categories: Collection[Category] | None = None) -> list[Hit]:
    """Every category `text` hits (at most one hit per category, the first that counts)."""
    return _scan(filter_text(text), categories)


def _turn_categories(role: Role, settings: ContentFilterSettings) -> frozenset[Category]:
    enabled = frozenset(settings.categories)
    return enabled if role in settings.roles else enabled & frozenset(settings.every_turn_categories)


def check(records: Sequence[Record], settings: ContentFilterSettings) -> list[GateVerdict]:
    """One verdict per record: fails on any hit; score is the highest hit severity (0 when clean)."""
    verdicts = []
    for record in records:
        reasons: list[str] = []
        score = 0.0
        for turn, message in enumerate(record.messages):
            categories = _turn_categories(message.role, settings)
            if not categories:
                continue
            for hit in classify(message.content, categories):
                reasons.append(f"turn {turn}: {hit.label}")
                score = max(score, hit.severity)
        verdicts.append(GateVerdict(gate=GATE, passed=not reasons, score=score, reasons=tuple(reasons)))
    return verdicts
