"""Stage 1 of the crisis detector: fast, explainable patterns for suicide and self-harm signals.

Categories follow the Columbia Suicide Severity Rating Scale (wish to be dead, active ideation,
method, intent or plan, preparatory behaviour) plus self-harm and the vague distress ("I can't go
on") that clinicians still treat as potential risk. Idioms ("this commute is killing me") are blanked
out before matching, and a match preceded by a negation ("I would never kill myself") is kept as a
weaker, negated signal rather than dropped: denial is lower risk, not no risk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

# Severity of an affirmed signal on a 0..1 scale; the detector uses it as a floor on the final
# score, so every first-person category sits above the trained threshold (checked at training).
SEVERITY = MappingProxyType(
    {
        "intent_plan": 0.97,
        "preparatory": 0.95,
        "method": 0.92,
        "active_ideation": 0.92,
        "wish_dead": 0.88,
        "self_harm": 0.85,
        "hopelessness": 0.8,
        "third_party": 0.0,
    }
)
CATEGORIES: tuple[str, ...] = tuple(SEVERITY)

_ME = r"(?:myself|my\s?self)"
_WANT = r"(?:want(?:ed)?\s+to|wanna|wish\s+(?:i\s+could|to)|would\s+like\s+to|need\s+to|have\s+to)"
_INTEND = r"(?:(?:going|plan(?:ning)?|decided|about|ready|intend(?:ing)?)\s+to|gonna)"
_KILL = r"(?:kill(?:ing|ed)?|end(?:ing|ed)?|off(?:ing)?|unaliv(?:e|ed|ing)|murder)"

_PATTERNS: dict[str, tuple[str, ...]] = {
    "intent_plan": (
        rf"{_INTEND}\s+{_KILL}\s+{_ME}",
        rf"{_INTEND}\s+(?:end|take)\s+(?:my\s+(?:own\s+)?life|it\s+all)",
        r"(?:going|gonna|plan(?:ning)?|decided)\s+to\s+(?:do\s+it|end\s+it)\s+(?:tonight|tomorrow|today|this\s+week)",
        r"suicide\s+(?:note|letter|plan)",
        r"(?:wrote|writing|write|left)\s+(?:a\s+|my\s+)?(?:goodbye|final|last)\s+(?:notes?|letters?|messages?)",
        r"(?:won't|wont|will\s+not)\s+(?:be\s+(?:here|alive|around))\s+(?:tomorrow|by\s+(?:tomorrow|morning|next\s+week)|much\s+longer)",
        r"(?:my|this\s+is\s+my)\s+last\s+(?:day|night|hours?)\s+(?:alive|on\s+(?:this\s+)?earth|ever)",
        r"this\s+(?:is|will\s+be)\s+my\s+(?:last|final)\s+(?:post|message|tweet|day|night)(?!\s+(?:of|at|in|on|before|for|with|as)\b)",
        r"(?:have|made|got)\s+a\s+plan\s+to\s+(?:die|end|kill)",
        r"(?:picked|set|chose|chosen)\s+(?:a|the)\s+date",
        r"tonight\s+(?:is|will\s+be)\s+the\s+night",
        r"\b(?:i\s+am|im|i\s+will|ill)\s+(?:just\s+|finally\s+)?ending\s+it\s*(?:$|[.!;]|tonight|today|tomorrow|soon|for\s+good)",
    ),
    "preparatory": (
        r"(?:tried|try|trying|attempted|attempting)\s+to\s+"
        r"(?:(?:kill|off)\s+my\s?self|end\s+(?:my\s+(?:own\s+)?life|it\s+all)|hang|drown|poison|overdose|od)\b",
        r"(?:suicide|suicidal)\s+attempts?",
        r"attempted\s+suicide",
        r"(?:gave|giving|give)\s+away\s+(?:all\s+)?(?:my|all\s+my)\s+(?:stuff|things|belongings|possessions|pets?)",
        r"(?:bought|buying|got|have|stockpil(?:ed|ing)|saving\s+up|saved\s+up|collecting)\s+(?:a\s+|some\s+|the\s+|enough\s+)?(?:rope|noose|gun|pills|sleeping\s+pills|razor\s+blades)",
        r"(?:said|saying|say)\s+my\s+(?:last\s+|final\s+)?goodbyes?",
        r"(?:picking|picked|pick)\s+up\s+(?:a|the|my)\s+(?:gun|rope|noose)",
        r"(?:ordered|ordering|order)\s+(?:some\s+|a\s+|the\s+|enough\s+)?(?:\w+\s+)?to\s+(?:od|overdose)\b",
        r"(?:wont|will\s+not)\s+need\s+(?:it|them|this|that|these|those|anything)\s+where\s+im\s+going",
        r"(?:wrote|writing|updated|made)\s+(?:out\s+)?my\s+will\b",
        r"(?:survived|failed)\s+(?:my|an|another)\s+(?:suicide\s+)?attempt",
    ),
    "method": (
        r"\bover\s?dos(?:e|ed|ing)\b",
        r"\bod(?:ing|d?ed)?\s+on\s+(?:my\s+)?(?:pills|meds|medication|sleeping|tylenol|paracetamol|insulin)",
        r"(?:take|took|swallow(?:ed)?|taking|down)\s+(?:all|the\s+whole|a\s+whole|every|a\s+bottle\s+of)\s+(?:of\s+)?(?:my\s+|the\s+)?(?:pills|meds|medication|tablets|bottle)",
        rf"\bhang(?:ing|ed)?\s+{_ME}",
        r"\bnoose\b",
        r"\bjump(?:ing|ed)?\s+(?:off|from|in\s+front\s+of)\s+(?:a|the|this|that|my)?\s*(?:bridge|building|roof|cliff|balcony|train|tower|ledge|window)",
        r"\bslit(?:ting)?\s+my\s+(?:wrists?|throat)",
        r"(?:gun|pistol|barrel)\s+(?:to|in)\s+my\s+(?:head|mouth|temple)",
        rf"\bshoot(?:ing)?\s+{_ME}(?!\s+in\s+the\s+foot)",
        r"(?:step|walk|jump|throw\s+myself)\s+in\s+front\s+of\s+(?:a|the)\s+(?:train|car|bus|truck)",
        r"(?:drive|crash|drove)\s+(?:my\s+car\s+)?(?:into|off)\s+(?:a\s+|the\s+)?(?:tree|wall|bridge|cliff|oncoming)",
        r"carbon\s+monoxide",
        r"\b(?:rope|neck)\s+myself\b",
        r"\b(?:yeet|throw|fling|hurl)\s+myself\s+(?:off|from|out\s+of|in\s+front\s+of)\b",
        rf"\bdrown(?:ing)?\s+{_ME}",
        r"\b(?:painless|easy|quick|quickest|best)\s+ways?\s+to\s+(?:die|kill\s+myself|end\s+it)",
        r"\bhow\s+(?:many|much)\s+(?:pills|tablets|of\s+my\s+meds)\s+(?:it\s+takes|to\s+take|would|does\s+it\s+take)",
        r"\b(?:knife|blade|razor)\s+(?:against|to|on|into)\s+my\s+(?:wrists?|throat|arms?|skin)",
        r"\bstanding\s+on\s+(?:the|a|this)\s+(?:bridge|ledge|roof|edge|tracks)",
        r"\b(?:took|swallowed|taken|counted\s+out)\s+(?:like\s+|about\s+|around\s+|over\s+)?\d{2,}\s+(?:of\s+)?(?:my\s+|the\s+|his\s+|her\s+)?(?:\w+\s+)?(?:pills|tablets|capsules)",
        r"\bhow\s+(?:many|much)\s+(?:of\s+(?:my|the|these)\s+)?(?:pills|tablets|meds|benadryl|tylenol|paracetamol|acetaminophen|ibuprofen|aspirin|xanax|insulin|sleeping\s+pills)\s+(?:will|would|does|do|should|to|would\s+it)\b",
        r"\bhow\s+(?:easy|hard|painful|quick|long)\s+(?:is\s+it|would\s+it\s+be|does\s+it\s+take)\s+to\s+(?:die|drown|bleed\s+out|overdose|od)\b",
    ),
    "active_ideation": (
        rf"\b{_KILL}\s+{_ME}\b",
        r"\bkms\b",
        r"\b(?:end(?:ing)?|take|taking|took)\s+my\s+(?:own\s+)?life\b",
        r"\bend(?:ing)?\s+it\s+all\b",
        r"\b(?:commit(?:ting)?|contemplat(?:e|ing)|consider(?:ing)?)\s+suicide",
        r"\bsuicid(?:e|al)\s+(?:thoughts?|ideation|urges?|feelings?|again)",
        r"\b(?:i'?m|i\s+am|im|feel(?:ing)?|felt|been|get|getting|so|very|really|still)\s+(?:not\s+|never\s+)?"
        r"(?:so\s+|very\s+|really\s+|extremely\s+|severely\s+|actively\s+|passively\s+)?suicidal\b",
        r"\bthoughts?\s+(?:of|about)\s+(?:suicide|killing\s+myself|ending\s+(?:it|my\s+life)|dying)",
        r"\b(?:think|thinking|thought)\s+(?:about|of)\s+(?:suicide|killing\s+myself|ending\s+(?:it|my\s+life))",
        r"\bsuicide\s+(?:is|seems)\s+(?:the\s+)?(?:only|best|easiest|answer)",
        r"\bunaliv(?:e|ed|es|ing)\b",
        r"\bsewer\s?slid(?:e|es|ing)\b",
        r"\bself\s?delet(?:e|ed|es|ing|ion)\b",
        r"\b(?:want(?:ed)?\s+to|wanna|gonna|going\s+to|about\s+to|should|might|finna|tryna|ready\s+to)\s+(?:just\s+)?kys\b",
    ),
    "wish_dead": (
        rf"\b{_WANT}\s+(?:just\s+)?(?:die|be\s+dead|not\s+(?:exist|be\s+alive|be\s+here|wake\s+up))\b",
        r"\b(?:want|wanna|wish)\s+(?:to\s+|i\s+could\s+)?(?:just\s+)?(?:disappear|stop\s+existing|cease\s+to\s+exist|fall\s+asleep\s+forever)",
        r"\bwish\s+i\s+(?:was|were|had\s+been)\s+(?:dead|never\s+born|gone)",
        r"\bwish\s+i\s+(?:could|would)\s+(?:just\s+)?(?:die|not\s+wake\s+up|never\s+wake\s+up|disappear)",
        r"\b(?:don'?t|do\s+not|dont|never)\s+(?:want|wanna|wish)\s+(?:to\s+)?(?:live|be\s+alive|exist|wake\s+up|be\s+here)",
        r"\b(?:rather|better\s+off)\s+(?:be\s+)?dead\b",
        r"\b(?:hope|pray)\s+i\s+(?:don'?t|dont|never|do\s+not)\s+wake\s+up",
        r"\b(?:hope|pray)\s+i\s+(?:just\s+)?die\b",
        r"\b(?:sleep|rest)\s+forever\b",
        r"\b(?:better|happier)\s+(?:off\s+)?if\s+i\s+(?:was|were|wasnt|werent)\s+(?:gone|dead|not\s+here|never\s+born|here)",
        r"\bgo\s+to\s+sleep\s+and\s+never\s+wake\s+up",
        r"\b(?:no|nothing)\s+(?:reason|reasons)?\s*(?:left\s+)?to\s+live\s+for\b",
        r"\bno\s+reasons?\s+(?:for\s+me\s+)?to\s+(?:live|stay\s+alive|keep\s+going|be\s+alive|be\s+here)",
        r"\btired\s+of\s+(?:living|being\s+alive|existing|life)\b",
        r"\blife\s+(?:is|isn'?t|isnt|is\s+not)\s+(?:not\s+)?worth\s+living",
        r"\bnot\s+worth\s+living\b",
        r"\bready\s+to\s+die\b",
        r"\b(?:fantasi[sz](?:e|es|ed|ing)|daydream(?:s|ed|ing)?)\s+about\s+(?:jumping|hanging|drowning|overdosing|dying|death|being\s+dead|killing\s+myself|my\s+(?:own\s+)?death|not\s+(?:existing|waking\s+up))",
        r"\bwish\s+(?:i|id|i\s+had)\s+(?:never\s+been|not\s+been|was\s+never|were\s+never|had\s+never\s+been)\s+born",
        r"\bwish\s+i\s+(?:didnt|did\s+not|wouldnt|would\s+not|couldnt)\s+(?:have\s+to\s+)?wake\s+up",
        r"\b(?:dont|do\s+not)\s+(?:really\s+)?want\s+to\s+(?:continue|keep|go\s+on)\s+(?:living|existing|being\s+alive)",
        r"\bi\s+(?:\w+\s+)?deserve\s+to\s+die\b",
        r"\b(?:its|it\s+is)\s+(?:my\s+)?time\s+(?:for\s+me\s+)?to\s+die\s*(?:$|[.!;])",
        r"\b(?:time\s+to\s+die|death\s+is\s+(?:the\s+)?(?:only|best)\s+(?:option|way\s+out|answer|solution))",
        r"\bdeath\s+(?:would|will)\s+be\s+(?:a\s+)?(?:relief|better|easier)",
        r"\b(?:feel|feels|feeling|felt)\s+like\s+(?:just\s+)?dying\b",
        r"\bi\s+should\s+(?:just\s+)?(?:die|be\s+dead|not\s+(?:exist|be\s+alive|be\s+here))\b",
        r"\b(?:want|wanted|wish)\s+(?:i\s+was|i\s+were|me|myself)\s+dead\b",
    ),
    "self_harm": (
        r"\bself[\s-]?harm(?:ing|ed)?\b",
        r"\bself[\s-]?injur(?:y|e|ing)\b",
        r"\bcut(?:ting|s)?\s+(?:myself|my\s+(?:wrists?|arms?|thighs?|legs?|skin))\b(?!\s+(?:off|some\s+slack|a\s+(?:break|slice|piece)))",
        rf"\b(?:burn(?:ing|ed|t)?|hurt(?:ing)?|harm(?:ing|ed)?|punish(?:ing|ed)?|starv(?:e|ing|ed))\s+{_ME}\b(?!\s+(?:on|at|with|playing|lifting|while|during|laughing|cooking|skiing|running))",
        r"\b(?:started|start|back\s+to|relapsed?\s+(?:into|on)?)\s+cutting\b",
        r"\bcutting\s+again\b",
        r"\bscars?\s+on\s+my\s+(?:wrists?|arms?|thighs?|legs?)",
        r"\brazor\s+blades?\b",
        r"\b(?:i'?m|im|i\s+am|been|keep|still)\s+cutting\b",
    ),
    "hopelessness": (
        r"\b(?:can'?t|cant|cannot|can\s+not|couldn'?t)\s+go\s+on\b",
        r"\b(?:don'?t|dont|do\s+not|can'?t|cant|cannot)\s+see\s+(?:a|any)\s+(?:way\s+out|point|future|reason)",
        r"\bno\s+way\s+out\b",
        r"\bdone\s+with\s+(?:it\s+all|everything|life|living|this\s+life|this\s+world|being\s+alive)",
        r"\b(?:everyone|everybody|they|family|world|people|my\s+(?:family|friends|kids|parents))\s+(?:would|will|d)\s+be\s+better\s+(?:off\s+)?without\s+me",
        r"\bbetter\s+off\s+without\s+me\b",
        r"\b(?:want|need|wish)\s+(?:it\s+all|everything|the\s+pain|this|it|life)\s+(?:to\s+)?(?:just\s+)?(?:stop|end|be\s+over)",
        r"\bjust\s+want\s+(?:it\s+all|everything|the\s+pain|it)\s+to\s+(?:stop|end)",
        r"\b(?:can'?t|cant|cannot|couldn'?t|couldnt)\s+(?:do|take|handle|live)\s+(?:this|it|life|like\s+this)\s+any\s?more\b",
        r"\bno\s+point\s+(?:in\s+)?(?:living|life|going\s+on|anything|trying|being\s+alive)",
        r"\bgiv(?:e|ing)\s+up\s+on\s+(?:life|living|everything)",
        r"\b(?:i'?m|im|i\s+am|i\s+feel\s+like)\s+(?:just\s+)?a\s+burden\b",
        r"\bburden\s+(?:to|on)\s+(?:everyone|everybody|my\s+family|the\s+people)",
        r"\bwhat'?s\s+the\s+point\s+of\s+(?:living|life|going\s+on|being\s+alive)",
        r"\b(?:end|stop)\s+the\s+pain\s+(?:forever|for\s+good|permanently)",
        r"\b(?:this|the)\s+world\s+(?:is\s+)?better\s+without\s+me",
        r"\bno\s?(?:one|body)\s+would\s+(?:even\s+)?(?:care|notice|miss\s+me)\s+if\s+i\s+(?:died|was\s+gone|were\s+gone|disappeared)"
        r"(?!\s+for\s+(?:a|an|one|two|three|a\s+few|a\s+couple\s+of|the)\s+(?:\w+\s+)?(?:minutes?|hours?|days?|nights?|weeks?|weekends?|months?|while|bit)\b)",
        r"\bcan'?t\s+keep\s+(?:living|going)\s+like\s+this",
        r"\b(?:i\s+)?(?:just\s+)?want\s+out\s+(?:for\s+good|of\s+(?:this\s+)?life|of\s+(?:it\s+all|everything|this\s+world))",
        r"\b(?:dont\s+know|idk|not\s+sure)\s+how\s+(?:much\s+)?long(?:er)?\s+i\s+can\s+(?:keep\s+going|go\s+on|hold\s+on|keep\s+living|take\s+(?:this|it))",
        r"\b(?:(?:life|things|it|nothing)\s+(?:is|are|will|s)?\s*(?:never|not\s+ever)|nothing\s+(?:is|will)\s+ever)\s+"
        r"(?:going\s+to\s+|gonna\s+)?get(?:ting)?\s+(?:any\s+)?better\b",
        r"\b(?:lost|losing|have\s+no|there\s+is\s+no|theres\s+no|no\s+more|without\s+any)\s+(?:all\s+)?hope"
        r"(?:\s+(?:left|anymore|for\s+me|in\s+(?:life|living|anything))){0,2}\s*(?:$|[.!,;]|\band\b|\bbut\b)",
        r"\bwhats\s+the\s+point\s+(?:anymore|of\s+(?:anything|trying|it\s+all|even\s+trying))",
    ),
    "third_party": (
        r"\b(?:he|she|they|friend|brother|sister|mom|dad|son|daughter|partner|boyfriend|girlfriend)\s+"
        r"(?:\w+\s+){0,3}(?:kill|killed|hurt|harm|cut)\s+(?:himself|herself|themselves|themself)\b",
        r"\b(?:his|her|their)\s+suicide\b",
    ),
}

# Figurative uses that share words with the patterns above; blanked before matching.
_IDIOMS = (
    r"\b(?:is|are|was|were|'s|s|'re|re|been|keeps?|be)\s+(?:literally\s+|actually\s+|absolutely\s+|slowly\s+)?killing\s+me\b",
    r"\bkill(?:ed|s|ing)?\s+(?:me|it|time|the\s+\w+|a\s+\w+|this\s+\w+|that\s+\w+|two\s+birds)\b",
    r"\bkill(?:ed|s|ing)?\s+(?:some|a\s+(?:bit|little|lot)\s+of|an\s+hour\s+of|(?:a\s+)?few\s+\w+\s+of)\s+time\b",
    r"\b(?:could|would|id|wed|youd|hed|shed|theyd)\s+(?:murder|kill|die)\s+for\s+(?:a|an|some|one|that|this)\b",
    r"\b(?:could\s+)?murder\s+(?:a|an|some)\s+\w+",
    r"\bdying\s+(?:to|for|of|from)\b",
    r"\bdie\s+(?:of|from)\s+(?:embarrassment|laughter|laughing|boredom|shame|cuteness|heat|jealousy)",
    r"\b(?:die|died|dying|dead)\s+laughing\b",
    r"\bto\s+die\s+for\b",
    r"\b(?:bored|scared|worried|frightened|tickled|beat|loved|done)\s+to\s+death\b",
    r"\bdead\s+(?:tired|serious|on|set|end|line|lift|beat|wrong|right|ass)\b",
    r"\b(?:career|political|social|financial|professional)\s+suicide\b",
    r"\bsuicide\s+(?:squad|doors?|runs?|sprints?|drills?|pass|bid|mission|kings?|boys|silence)\b",
    r"\bover\s?dos(?:e|ed|ing)\s+on\s+(?:coffee|caffeine|sugar|chocolate|netflix|tv|anime|memes|cuteness|candy)",
    r"\bshoot\s+(?:me|myself)\s+(?:a|an|in\s+the\s+foot)\b",
    r"\b(?:my|the)\s+(?:feet|back|legs|knees|head|neck|shoulders?)\s+(?:is|are)\s+killing\s+me\b",
    r"\bhang(?:ing)?\s+(?:out|on|in\s+there|up|tight|around)\b",
    r"\bend\s+it\s+all\s+with\s+a\s+bang\b",
    r"\b(?:kill|killing)\s+(?:myself|me)\s+(?:laughing|at\s+the\s+gym|with\s+(?:work|study|studying))\b",
    r"\bjust\s+kill\s+me\s+now\b",
    r"\bcut\s+myself\s+(?:off|some\s+slack|a\s+(?:\w+\s+)?(?:break|slice|piece|deal))\b",
    r"\b(?:want|wanna)\s+to\s+die\s+(?:of|from)\s+(?:embarrassment|laughter|shame)\b",
    r"\b(?:be|is|was)\s+the\s+death\s+of\s+me\b",
    r"\b(?:hurt|injured|burn(?:ed|t)?)\s+myself\s+(?:at|on|playing|lifting|while|during|cooking|skiing|running|with\s+the)\b",
    r"\b(?:battery|phone|laptop|engine|car|plants?|basil|batteries|server|tv)\s+(?:is|was|has|just|are)?\s*(?:dead|died|dying)\b",
    r"\bend\s+the\s+(?:loop|meeting|call|game|session|contract|process)\b",
)

_NEGATOR = r"(?:not|never|no|dont|didnt|wont|wouldnt|cant|couldnt|shouldnt|isnt|arent|aint|without)"
# Words that may sit between a negation and the act it negates ("I have no plans to", "not going to").
_BRIDGE = (
    r"(?:going|gonna|to|ever|really|actually|want|wanna|plan|plans|planning|intend|intention|intentions|"
    r"desire|urge|think|thinking|about|i|would|will|do|be|have|any|the|thoughts|of|try|trying|am|feel|"
    r"feeling|at|all|currently|anymore|seriously|actively|a|an|ever)"
)
_NEGATED_PREFIX = re.compile(rf"\b{_NEGATOR}\s+(?:{_BRIDGE}\s+){{0,3}}$")
# A negation that is a struggle or a question, not a denial: "trying not to kill myself", "hard not to",
# "why shouldn't I end my life", "why not just kill myself".
_NOT_A_DENIAL = re.compile(
    r"\b(?:(?:try|trying|tried|struggling|struggle|fighting|fight|hard|harder|effort)\s+(?:so\s+hard\s+)?"
    r"(?:not\s+to|to\s+not)|why\s+(?:not|shouldnt|shouldn't)(?:\s+i)?(?:\s+just)?|"
    r"(?:tell|convince|persuade|remind|beg)\s+me\s+(?:why\s+)?(?:i\s+should\s+)?not\s+to|reasons?\s+(?:why\s+)?not\s+to|"
    r"regret(?:s|ted)?\s+(?:not|never))\s+$"
)
_INNER_NEGATION = re.compile(r"\b(?:not|never)\b")
# Categories whose patterns never contain a negation of their own, so one inside the match denies it.
_INNER_NEGATION_CATEGORIES = frozenset({"active_ideation", "method", "preparatory", "self_harm"})
_CLAUSE_BREAK = re.compile(r"[.;!?,]|\bbut\b|\bbecause\b|\bthough\b")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words without which a category's patterns cannot match (each pattern holds at least one). A set
# intersection over the text's words is far cheaper than running every alternation over a long post,
# and keeps stage 1 near 4,500 texts/s on one core; tests check no hand case depends on the skip.
_ANCHORS: dict[str, frozenset[str]] = {
    "intent_plan": _words(
        "myself self life all tonight tomorrow today week suicide goodbye final last morning longer plan "
        "date ending"
    ),
    "preparatory": _words(
        "myself self life all hang drown poison overdose od attempt attempts attempted away rope noose gun "
        "pills razor goodbye goodbyes will going"
    ),
    "method": _words(
        "overdose overdosed overdosing overdoses dose dosed dosing od oding oded odded pills meds medication "
        "tablets bottle hang hanging hanged noose jump jumping jumped slit slitting gun pistol barrel shoot "
        "shooting front drive drove crash monoxide drown drowning ways way knife blade razor standing "
        "capsules benadryl tylenol paracetamol acetaminophen ibuprofen aspirin xanax insulin die bleed rope "
        "neck yeet throw fling hurl"
    ),
    "active_ideation": _words(
        "myself self kms kys life all suicide suicidal thoughts thought ending unalive unalived unalives "
        "unaliving sewer sewerslide sewerslides sewersliding selfdelete selfdeleted selfdeletes "
        "selfdeleting selfdeletion"
    ),
    "wish_dead": _words(
        "die dead exist existing alive here wake disappear asleep born gone live living life death forever "
        "reason reasons deserve fantasise fantasize fantasises fantasizes fantasised fantasized fantasising "
        "fantasizing daydream daydreams daydreamed daydreaming dying"
    ),
    "self_harm": _words(
        "self selfharm selfharming myself cut cutting cuts scar scars razor harm harming injury injuring"
    ),
    "hopelessness": _words(
        "go see way done without stop end over anymore more point up burden pain care notice miss keep out "
        "long longer never ever hope"
    ),
    "third_party": _words("himself herself themselves themself suicide"),
}
_GLUED_STEMS = ("myself", "suicide", "suicidal")
_IDIOM_ANCHORS = _words(
    "kill killing killed kills murder die died dying dead death suicide overdose overdosed overdosing dose "
    "shoot hang hanging cut end hurt injured burn burned burnt"
)


def _alternation(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for many patterns, each starting at a word boundary.

    The boundary is written once, as look-arounds outside the group, instead of a `\\b` per branch:
    the regex engine then rejects most positions before trying any branch (about 45% faster).
    """
    branches = "|".join(f"(?:{p.removeprefix(chr(92) + 'b')})" for p in patterns)
    return re.compile(rf"(?<![a-z0-9])(?=[a-z])(?:{branches})")


_COMPILED = tuple((category, _ANCHORS[category], _alternation(p)) for category, p in _PATTERNS.items())
_IDIOM_RE = _alternation(_IDIOMS)
_CONTRACTION = re.compile(r"(\w)'(\w)")
# A contraction split by a space ("don t", "i m", "you re") is joined only after a word that takes it,
# so a stray letter ("i want to die t") is not glued onto the word before it ("diet").
_TAKES_SUFFIX = {
    "t": "don can won isn aren wasn weren didn doesn couldn shouldn wouldn haven hasn hadn ain mustn needn",
    "m": "i",
    "ll": "i you he she we they it that there who what",
    "d": "i you he she we they it that there who what",
    "ve": "i you we they would could should might must who",
    "re": "you we they who what there",
}


def _suffix_branches() -> str:
    """One branch per suffix and word length: the suffix first, then a fixed-width look-behind for the
    words of that length, so the regex stays in C and tries the look-behind only after " t", " m"..."""
    branches = []
    for suffix, words in _TAKES_SUFFIX.items():
        by_length: dict[int, list[str]] = {}
        for word in words.split():
            by_length.setdefault(len(word), []).append(word)
        branches += [
            rf"{suffix}(?<=\b(?:{'|'.join(group)}) {suffix})" for _, group in sorted(by_length.items())
        ]
    return "|".join(branches)


_SPLIT_CONTRACTION = re.compile(rf" ({_suffix_branches()})\b")
# Every ASCII symbol but the clause marks becomes a space; so do common typographic marks.
_KEEP = set(".;!?,'")
_SYMBOLS = str.maketrans(
    {c: " " for c in [chr(i) for i in range(33, 127)] if not c.isalnum() and c not in _KEEP}
    | {c: " " for c in "“”„«»—–…•"}
    | {"’": "'", "‘": "'"}
)
_CLAUSE_MARKS = str.maketrans({c: " " for c in _KEEP})
_PUNCTUATION = str.maketrans({c: " " for c in _KEEP})
IDIOM_MARKER = "figurativeuse"

# Obfuscation ("k1ll mys3lf", "$uicide", "s u i c i d e", "k*ll"): look-alike digits and symbols between
# letters are read as the letters they stand for, and spelled-out letters are joined. Only characters
# with a letter on both sides (or a leading $/@ before letters) change, so "mp3", "24h" and "14000mg"
# keep their digits.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "|": "i"}
)
_LEET_INSIDE = re.compile(r"(?<=[a-z])[013457@$|]+(?=[a-z])|(?<![a-z0-9])[@$](?=[a-z]{2})")
# Cheap necessary conditions, so the costlier rewrites run only on the few texts that can need them.
_LEET_HINT = re.compile(r"[013457@$|]+(?=[a-z])")
_SPELLED_HINT = re.compile(r" [a-z] [a-z](?![a-z0-9])")
# Single letters spelled out with spaces, three or more, not starting with "i", "a" or "u" (so the
# lower-cased "i m a mess" of one source and "u r a star" stay as they are).
_SPELLED = re.compile(r"(?<![a-z0-9])[b-hj-tv-z](?: [a-z]){2,}(?![a-z0-9])")
# A masked risk word ("k*ll", "su**ide"; letters on both sides of the stars): the stars are filled in
# only where one of these words fits.
_MASKED = re.compile(r"[a-z]+\*+[a-z][a-z*]*")
_MASKABLE_WORDS = """kill killing killed myself suicide suicidal die dying dead death hang hanging cut cutting
overdose unalive selfharm harm"""
_MASKABLE: tuple[str, ...] = tuple(_MASKABLE_WORDS.split())


def _unmask(match: re.Match[str]) -> str:
    token = match.group(0)
    shape = re.compile("".join("[a-z]{1,3}" if c == "*" else c for c in re.sub(r"\*+", "*", token)))
    return next((word for word in _MASKABLE if shape.fullmatch(word)), token.replace("*", " "))


@dataclass(frozen=True)
class Signal:
    """One matched stage-1 pattern: which C-SSRS category, the words matched, and whether negated."""

    category: str
    phrase: str
    negated: bool

    @property
    def label(self) -> str:
        return f"{'negated:' if self.negated else ''}{self.category}:{self.phrase}"


@dataclass(frozen=True)
class Analysis:
    """Stage-1 signals of one text and the text the learned stage reads.

    `model_text` is normalised, without punctuation, each idiom replaced by IDIOM_MARKER and denied
    phrases removed: the n-gram model cannot read "not" in "I'm not suicidal", so the words it denies
    are not shown to it (the denial still lowers the score, through DENIAL_DISCOUNT in the detector).
    """

    signals: tuple[Signal, ...]
    model_text: str


def normalise(text: str) -> str:
    """Lower-case, undo common obfuscation, join split contractions ("don t", "don't" -> "dont") and drop
    symbols.

    One source is lower-cased with apostrophes replaced by spaces; normalising both forms to one
    spelling lets one pattern serve every register.
    """
    text = text.lower()
    if _LEET_HINT.search(text):
        text = _LEET_INSIDE.sub(lambda m: m.group(0).translate(_LEET), text)
    if "*" in text:
        text = _MASKED.sub(_unmask, text)
    text = text.translate(_SYMBOLS)
    if "'" in text:
        text = _CONTRACTION.sub(r"\1\2", text)
    text = " ".join(text.split())
    if _SPELLED_HINT.search(text):
        text = _SPELLED.sub(lambda m: m.group(0).replace(" ", ""), text)
    return _SPLIT_CONTRACTION.sub(r"\1", text)


def _is_negated(text: str, start: int) -> bool:
    """True when the clause before `start` ends in a negation of the matched act."""
    prefix = text[max(0, start - 60) : start]
    breaks = list(_CLAUSE_BREAK.finditer(prefix))
    if breaks:
        prefix = prefix[breaks[-1].end() :]
    return _NEGATED_PREFIX.search(prefix) is not None and _NOT_A_DENIAL.search(prefix) is None


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span replaced by spaces of the same length, so offsets stay valid."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def blank_idioms(norm: str) -> str:
    """Replace figurative spans of normalised text with spaces of the same length (offsets stay valid).

    Both stages read the blanked text, so "career suicide" cannot teach the model that "suicide" in a
    business sentence is risk.
    """
    return _IDIOM_RE.sub(lambda m: " " * len(m.group(0)), norm)


def _model_view(norm: str, idioms: list[tuple[int, int]], denied: list[tuple[int, int]]) -> str:
    """The learned stage's text: denied phrases removed, each idiom replaced by one marker word.

    The marker keeps the fact that a crisis word was used figuratively, which the model can weigh; a
    blank would make "we need to kill some time before the train leaves" read as a sentence about trains.
    """
    chars = list(_blank(norm, denied))
    for start, end in idioms:
        chars[start:end] = " " * (end - start)
        chars[start] = f" {IDIOM_MARKER} "
    return " ".join("".join(chars).translate(_PUNCTUATION).split())


def _words_of(norm: str) -> frozenset[str]:
    """The words of normalised text, for the anchor gates."""
    words = frozenset(norm.translate(_CLAUSE_MARKS).split())
    # Scraped text glues words together ("myselfi"); the commonest stems still open their gates.
    return words | {stem for stem in _GLUED_STEMS if stem in norm}


def _idiom_spans(norm: str, words: frozenset[str]) -> list[tuple[int, int]]:
    """Figurative spans ("this commute is killing me"); searched only where an idiom word occurs."""
    return [m.span() for m in _IDIOM_RE.finditer(norm)] if not words.isdisjoint(_IDIOM_ANCHORS) else []


def _collect(
    norm: str, patterns: list[tuple[str, re.Pattern[str], int]], spans: bool
) -> tuple[tuple[Signal, ...], list[tuple[int, int]]]:
    """Signals of idiom-blanked text and, with `spans`, where each denied phrase is.

    A category keeps its first negated match and its first affirmed one; matching in it starts at the
    given offset (where its first match is already known to be) and stops at the affirmed one unless the
    denied spans are wanted (they are blanked for the learned stage).
    """
    found: dict[tuple[str, bool], Signal] = {}
    denied: list[tuple[int, int]] = []
    for category, pattern, start in patterns:
        for match in pattern.finditer(norm, start):
            negated = _is_negated(norm, match.start()) or (
                category in _INNER_NEGATION_CATEGORIES and _INNER_NEGATION.search(match.group(0)) is not None
            )
            if negated:
                denied.append(match.span())
            if (category, False) not in found:
                found.setdefault((category, negated), Signal(category, match.group(0).strip(), negated))
            elif not spans:
                break
    return tuple(found.values()), denied


def analyse(text: str) -> Analysis:
    """Stage-1 signals of `text` and the text the learned stage reads."""
    norm = normalise(text)
    words = _words_of(norm)
    idioms = _idiom_spans(norm, words)
    if idioms:
        norm = _blank(norm, idioms)
    patterns = [(c, p, 0) for c, anchors, p in _COMPILED if not words.isdisjoint(anchors)]
    signals, denied = _collect(norm, patterns, spans=True)
    return Analysis(signals, _model_view(norm, idioms, denied))


def scan(text: str) -> tuple[Signal, ...]:
    """Every category matched in `text`, at most one affirmed and one negated signal per category.

    The same signals as `analyse`, cheaper: idioms are looked for only once some pattern matched, since
    blanking them can only remove matches, and each category is read once from its first match on.
    """
    norm = normalise(text)
    words = _words_of(norm)
    firsts = [(c, p, p.search(norm)) for c, anchors, p in _COMPILED if not words.isdisjoint(anchors)]
    candidates = [(c, p, first.start()) for c, p, first in firsts if first is not None]
    if not candidates:
        return ()
    idioms = _idiom_spans(norm, words)
    if idioms:
        return _collect(_blank(norm, idioms), [(c, p, 0) for c, p, _ in candidates], spans=False)[0]
    return _collect(norm, candidates, spans=False)[0]


def stage1_score(signals: tuple[Signal, ...]) -> float:
    """Highest severity among affirmed signals; negated signals alone never raise the floor."""
    return max((SEVERITY[s.category] for s in signals if not s.negated), default=0.0)


def signal_features(signals: tuple[Signal, ...]) -> list[float]:
    """One indicator per category, in CATEGORIES order, set where the category is affirmed.

    Denials get no column: their words are blanked from the model's text, so "I'm not suicidal, just
    tired" reads as "just tired" plus a discount, never as evidence of risk.
    """
    affirmed = {s.category for s in signals if not s.negated}
    return [float(category in affirmed) for category in CATEGORIES]
