"""Concept detectors: the evidence the label models weigh.

Each detector is a regular expression for a *concept* from the label definitions in
``shared/data/README.md`` (asking to be considered for a role, quoting a price, a compliment on
someone's looks, naming a mutual connection …), written as general phrasing rather than phrases
lifted from the dev set. A detector fires at most once per message; the models in ``model.py``
learn how much each one counts for its label, including the negative evidence (a recruiter
offering a role argues *against* ``job_ask``).

Patterns run on a normalised lower-case copy of the text, except the few in ``_CASED_*`` that
need capital letters to spot names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from inroad.coach.text import measure

_I = re.IGNORECASE

_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tonight|tomorrow)"
_JOB_NOUN = (
    r"(?:job|jobs|role|roles|opening|openings|position|positions|vacanc(?:y|ies)|opportunit(?:y"
    r"|ies)"
    r"|internships?|interns|apprentices?|postdocs?|hiring|freelancers?)"
)
_WORK_ITEM = (
    r"(?:talk|keynote|post|posts|paper|article|piece|video|comment|session|presentation|webinar"
    r"|demo|thread|zine|design|work|project|retrofit|class|course|rebrand|kits?|book|podcast"
    r"|research|study|answers|newsletter|series|channel|substack|blog|splits|launch|audit"
    r"|renovation|newsletter|writing|essays?|api|library|dataset|guideline|curriculum|lecture"
    r"|workshop"
    r"|illustrations?|photography|photos|restoration|answers|tutorial|guide|code|repo|app|tool|map"
    r"|maps"
    r"|report|findings|analysis|thesis|portfolio|notes|episode|slides|deck|recording|speech"
    r"|show|exhibition|album|film|documentary|handbook|playbook|template|toolkit"
    r"|checklist|column|op-ed|plugin|package|framework|sdk|preprint|poster|benchmark|notebook"
    r"|docs|documentation|sermon|recipes?|reel|seminar)"
)
_LOOKS = (
    r"(?:beautiful|pretty|gorgeous|stunning|cute|hot|sexy|attractive|handsome|lovely|radiant"
    r"|adorable|charming|extraordinary|breathtaking|glowing|cutest|prettiest|sweet)"
)

# job_ask: the sender wants to be hired, interviewed, referred or considered.
JOB_ASK: Mapping[str, str] = {
    "job.consider": (
        r"\bconsider(?:ed)? (?:me|for)\b|\bany consideration\b|\b(?:keep|kept) me in mind\b"
        r"|\bput me forward\b|\brecommend(?:ing)? me\b|\btake me on\b|\bon your (?:list|roster"
        r"|call list"
        r"|books)\b|\bremember my name\b|\bkept in mind\b|\bon your radar\b|\bthink of me\b"
        r"|\bthe person you think of\b"
        r"|\bwhere to find me\b|\bbe considered\b|\b(?:i'?d|i would) be a (?:good|great"
        r"|strong) fit\b|\bhat in(?:to)? the ring\b|\bthrow my hat\b"
    ),
    "job.refer_me": (
        r"\brefer(?:ring)? me\b|\b(?:a|submit a|give me a) referral\b|\bput(?:ting)? my name\b"
        r"|\bpass(?:ing)? (?:along )?my (?:name|cv|resume|résumé|profile)\b|\bmy name along\b"
        r"|\bforward my (?:cv|resume|résumé|profile|application)\b|\bput in a (?:good )?word\b"
        r"|\bflag my application\b|\bintroduce me to (?:whoever|the hiring|someone|the right)\b"
        r"|\bget me (?:an interview|in)\b|\bfoot in the door\b|\bneed (?:a )?(?:job|referral"
        r"|work)\b"
        r"|\bany (?:role|job|position) (?:is ok|is fine|will do)\b|\bplease refer\b"
        r"|\b(?:resume|cv) attached\b|\bshare my (?:profile|cv|resume|details) with\b"
        r"|\bintroduce me to (?:hr|the recruiter|your hr|your recruiter)\b|\b(?:check"
        r"|follow up) on my"
        r" application\b|\bhow to get (?:a job|hired|in)\b"
    ),
    "job.hiring_question": (
        rf"\b(?:is|are|does|do) (?:you|your|the|they|[a-z]+'s|[a-z]+)\b[^.?!\n]{{0,40}}"
        rf"\b{_JOB_NOUN}\b[^.?!\n]{{0,60}}\?|\bhiring\?|\bany (?:openings|vacanc|opportunit)"
        rf"|\bare you (?:guys )?hiring\b|\b(?:taking on|looking for) (?:any |more |new "
        rf"|extra )?(?:help"
        rf"|staff|crew|hands|people|\w+ers|\w+ists|\w+ians|\w+ics)\b|\bshort (?:on|of|a) (?:crew"
        rf"|staff|hands"
        rf"|people|\w+er)\b|\bopen to lateral\b|\b(?:needs?"
        rf"|need of) (?:an? )?(?:extra (?:pair of )?hands?"
        rf"|cover|someone)\b|\broom for (?:one more|another|someone)\b"
    ),
    "job.if_opening": (
        r"\bif (?:you hear of|anything|a role|a position|something|there'?s ever|it does)"
        r"[^.?!\n]{0,60}\b(?:open|opens|comes up|on your team|frontend|side)\b"
        r"|\bin case (?:you'?re|your team is|you are) (?:building|growing|hiring|staffing)"
        r"|\b(?:if|when|should) (?:a|an|any|another) (?:\w+ )?(?:position|role|opening|spot|vacancy"
        r"|post)"
        r" (?:open|opens|comes up|becomes available)\b|\bshould anything (?:open|come)\b"
        r"|\bas you (?:staff|scale|grow|build) (?:up|out)\b|\bif you (?:need"
        r"|are looking for) someone\b"
    ),
    "job.want_to_join": (
        r"\b(?:love|like|welcome|chance|want|hoping|eager) to (?:apply|interview|intern|join|work"
        r" (?:at|for|with|on your)|get on|be part of|contribute|be considered)\b"
        r"|\binterested in (?:working|joining|any open)|\blooking for (?:a |my next |an? )?"
        r"(?:job|position|role|internship|opportunity)\b|\bi'?m applying\b|\bapplying for the\b"
        r"|\bi(?: have|'ve) applied\b|\bi'?ll take anything\b|\bcan (?:start|join) (?:monday|"
        r"immediately|right away|asap)\b|\bavailable starting\b|\bready to (?:relocate|move)\b"
        r"|\bhave funding for\b|\bbring in freelancers\b|\bplace for someone\b"
        r"|\b(?:looking for|find|search(?:ing)?(?: for)?) (?:my |a )?(?:next|new) (?:team|role|job"
        r"|position"
        r"|challenge|chapter|opportunity|newsroom|leadership role)\b"
        r"|\bsearch(?:ing)? (?:for )?(?:a )?"
        r"(?:job|new opportunity|opportunity)\b|\bbetween jobs\b|\bjob hunting\b"
        r"|\bneed (?:a )?job\b"
        r"|\bjoin (?:your|the) (?:team|lab|crew|kitchen|group|department|roster|firm|company)\b"
        r"|\b(?:be|play) (?:a )?part of (?:it|your|the)\b|\b(?:love|like|happy|glad) to help out\b"
        r"|\bavailable (?:from|in|starting) (?:next|the|\w+ \d|january|february|march|april|may"
        r"|june"
        r"|july|august|september|october|november|december)\b"
    ),
    "job.candidate": (
        r"\bmy (?:resume|résumé|cv|portfolio|certs|application)\b|\blaid off\b|\bout of work\b"
        r"|\bgpa\b|\bfresher\b|\bnew[- ]grad\b|\brelocating\b|\bmoving to\b|\bnext (?:challenge"
        r"|step)\b"
        r"|\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\+? (?:years?|yrs)\b"
    ),
    # Negative evidence: the sender is the one offering a role or asking for candidates.
    "job.recruiting": (
        r"\b(?:i'?m|we'?re|i am|we are) (?:now |currently )?(?:hiring|recruiting)\b|\bi recruit\b"
        r"|\brecruit(?:er|ing) (?:at|with|for|here)\b|\bknow anyone\b|\breferrals (?:very )?welcome"
        r"|\banyone in your network\b|\b(?:the|this) role (?:reports|would|is)\b"
        r"|\b(?:your|his|her) (?:background|experience|profile|phd)\b[^.?!\n]{0,30}"
        r"\b(?:fit|match|caught|exactly)\b|\bshare (?:the full |the )?(?:description|details"
        r"|spec)\b"
        r"|\bopportunities as they\b|\b(?:we'?ve got|we have|i have"
        r"|there'?s) an? (?:\w+ )?(?:contract"
        r"|role|opening|position|vacancy|assignment)\b|\brole i mentioned\b|\b(?:send"
        r"|share) you the"
        r" (?:brief|jd|job description|spec|details)\b|\b(?:i'?m|we'?re) hiring (?:an?|for)\b"
    ),
}

# sales_pitch: selling a product, service, course, programme or offer.
SALES_PITCH: Mapping[str, str] = {
    "sale.price": (
        r"\$\s?\d|\b\d+\s?(?:usd|dollars|eur|gbp)\b|/\s?(?:month|mo|hr|hour|year|yr|store|seat"
        r"|user)\b"
        r"|\bper (?:month|hour|word|store|seat|user|year|project)\b|\brates? (?:start|from)\b"
        r"|\b(?:plans?|prices?|pricing|rates?|packages?) (?:start|starts|starting|begin) (?:at"
        r"|from)\b"
        r"|\b(?:starting|plans|packages?) (?:at|from)\b|\bbill rates?\b|\b(?:one-time"
        r"|monthly) fee\b"
    ),
    "sale.offer": (
        r"\bfree (?:trial|month|sample|audit|demo|consultation|hardware|guide|webinar|pilot)\b"
        r"|\btry it free\b|\bfree for \d+|\b\d+\s?% off\b|\bdiscount\b|\bpromotion\b"
        r"|\bspecial (?:this|for)\b"
        r"|\blimited (?:time|offer|promotion|seats)\b|\bearly (?:customers|users|adopters?|bird)\b"
        r"|\bsign up\b|\benrol(?:l|ment)\b|\b(?:paid|free|\d+-day) pilot\b|\bpilot (?:is|at|for)\b"
        r"|\bpricing (?:sheet|page|plans?)\b|\bour pricing\b"
        r"|\bprice list\b|\bcatalog(?:ue)?\b|\bwholesale\b|\blicen[cs]e\b|\btrial (?:account"
        r"|period)\b"
        r"|\bstarter kit\b|\bno (?:placement|application|setup) fee\b|\bscholarships?\b"
        r"|\bwant a code\b"
        r"|\bfirst [\w ]{0,20}(?:free|on us)\b|\bselected to apply\b|\bnow accepting\b"
        r"|\bguaranteed\b|\byour budget\b|\b(?:reduced|special|best|friends?'?|mates'?) (?:rate"
        r"|rates"
        r"|price|prices)\b|\bhalf (?:the )?price\b|\bcomplimentary\b|\bno (?:obligation|fee for)\b"
        r"|\bsample (?:shipment|pack|box)\b|\bon request\b|\bquote\b|\bfixed (?:fee|price)\b"
    ),
    "sale.vendor": (
        r"\bwe (?:help|built|build|make|provide|offer|sell|represent|automate|bundle"
        r"|digiti[sz]e|supply|work with)\b|\bi (?:help|sell|represent|provide|offer)\b"
        r"|\bwe'?ve (?:built|helped)\b|\bi'?ve helped\b|\b(?:we|i) (?:are |can )?(?:provide"
        r"|offer)\b"
        r"|\bi charge\b|\bi'?m a freelance\b|\bwe (?:export|sublease|cater|install|handle|deliver"
        r"|translate"
        r"|manufacture|specialise|specialize|place|sell|are providing|are offering)\b"
        r"|\bi (?:own|run) an? [\w -]{0,30}(?:company|business|agency|studio|firm|shop|practice)\b"
        r"|\b(?:i'?m|i am) (?:now )?an? (?:[\w-]+ ){0,2}(?:photographer|planner|adviser|advisor"
        r"|broker"
        r"|realtor|bookkeeper|coach|consultant|videographer|caterer)\b(?! (?:at|with|for) )"
        r"|\bour (?:company|agency|services?|rates|packages?|prices|products?|team can)\b"
        r"|\blicensed (?:advisor|agent|broker)\b|\brealtor\b"
        r"|\bi lead (?:partnerships|sales"
        r"|growth|business development)\b|\bget (?:you )?quotes?\b|\bused by (?:over )?\d+"
        r"|\b(?:our|my) (?!own\b)(?:[\w'-]+ ){0,3}(?:platform|tool|software|app|product|service"
        r"|solution|agency|course|masterclass|cohort|engagements?|training|scribe|program|programme"
        r"|catalog|clients|customers)\b"
        r"|\b(?:company|product|platform|tool) (?:solves|does|cuts|helps|lets you)\b"
        r"|\bwe (?:just )?launched\b|\b(?:we'?re|we are) an? [\w -]{0,30}(?:platform|agency|firm"
        r"|app"
        r"|provider)\b"
        r"|\bwe have [\w -]{0,30}(?:available|ready)\b|\bi run a [\w-]+ (?:cohort|course"
        r"|workshop)\b"
        r"|\b(?:a|an) [\w -]{0,25}(?:agency|service|platform|app|tool) (?:that|for|which)\b"
    ),
    "sale.metric": (
        r"\b(?:cut|cuts|save|saves|saving|reduce[sd]?|increase[sd]?|double[sd]?|boost|fill|recover)"
        r"\b[^.?!\n]{0,50}\d+\s?%|\b\d+\s?%(?: more| fewer| less| cheaper| faster)\b"
        r"|\b(?:cheaper|faster) than\b|\bin (?:minutes|hours|days) instead of\b"
        r"|\bfrom \d+ \w+ to \d+ \w+\b|\bsave (?:about |up to )?\w+ hours?\b"
    ),
    "sale.demo": (
        r"\b(?:a|quick|short|live|\d+-minute|see a|the) demo\b|\bwalk (?:you|your team) through\b"
        r"|\bshow you (?:how|what)\b|\btry it\b|\bset up a trial\b"
        r"|\bsend (?:over )?(?:a |the )?(?:proposal|quote|deck|pricing)\b"
    ),
    "sale.education": (
        r"(?<!my )(?<!a )\b(?:mba|mph|msc|bsn|emba|master'?s program|degree|certificate program"
        r"|accredited|tuition|application fee|accepting applications|info session|continuing ed"
        r"|spring cohort|fall cohort|next cohort)\b"
    ),
    "sale.disclaimer": (
        r"\b(?:not|isn'?t|is not) (?:a |trying to )?(?:sales )?(?:pitch|hard[- ]sell|sell)\b"
        r"|\bfull disclosure\b"
    ),
    # Negative evidence: money that is pay for a job or the scale of a project, not a price.
    "sale.salary": (
        r"\bbase\b|\bsalary\b|\bcompensation\b|\bbonus\b|\bgift card\b|\bequity\b"
        r"|\$[\d,.]+\s?(?:m|b|bn|million|billion)\b|\$\d+(?:-\d+)?k\b(?!\s?/)"
    ),
    # Negative evidence: explicitly nothing for sale.
    "sale.nothing_to_sell": (
        r"\bnothing (?:to sell|for sale)\b|\bno company\b|\bside project\b|\bweekend project\b"
        r"|\bopen[- ]source\b|\bno charge\b|\bnot selling\b|\bhobby\b|\bno business model\b"
        r"|\bnon-?profit\b|\bcharity\b|\bvolunteers?\b|\bsponsor(?:ing)? me\b|\b(?:my"
        r"|our) (?:thesis|research"
        r"|study)\b"
    ),
}

# romantic: dating, flirting, looks, pet names.
ROMANTIC: Mapping[str, str] = {
    "rom.looks": (
        rf"\b(?:you'?re|you are|u r|ur|you look|you looked|you seem)(?: \w+){{0,3}} {_LOOKS}\b"
        rf"|\b{_LOOKS} (?:eyes|smile|lady|woman|girl|face|laugh)\b"
        r"|\byour (?:smile|eyes|laugh|looks)\b|\b(?:photo|pic|picture|selfie)s?\b[^.?!\n]{0,40}"
        r"\b(?:lovely|beautiful|gorgeous|stunning|suits you|hot|cute|amazing)\b"
        r"|\byou look(?:ed)? (?:amazing|great|even better|absolutely|so)\b"
    ),
    "rom.pet_name": (
        r"\b(?:hey|hi|hello|morning|evening) (?:beautiful|gorgeous|sexy|cutie|sweetie|dear|babe"
        r"|honey|darling|handsome|pretty)\b|\b(?:sweetie|babe|darling|sweetheart|cutie|handsome"
        r"|gorgeous|beautiful|sunshine"
        r"|my dear|hello dear|hi dear)\b(?![^.?!\n]{0,12}\b(?:work|product|presentation|office"
        r"|photos?"
        r"|branding|illustrations?|photography|design|talk)\b)"
    ),
    "rom.date": (
        rf"\btake you out\b|\b(?:as|on|for) a date\b|\bdate with me\b|\b(?:dinner|drinks?)\b"
        rf"[^.?!\n]{{0,30}}(?:\?|\bjust us\b|\bdate\b|{_DAY})"
        r"|\bmeet you for (?:a |an )?(?:drink|dinner|aperitivo|wine)\b|\b(?:your|ur) number\b"
        r"|\bwhat'?s (?:your|ur) (?:insta|ig|snap|whatsapp|number)\b|\binsta\b|\bat my hotel\b"
        r"|\bcall tonight\b|\bpersonal email\b|\b(?:a )?(?:proper|real) date\b|\bgo out with me\b"
        r"|\b(?:go|going) out (?:sometime|some time|together)\b|\bjust (?:you and me|the two of us"
        r"|us)\b"
        r"|\b(?:reservations?|table) for two\b|\b(?:snapchat|whatsapp|hinge|tinder|bumble)\b"
        r"|\b(?:dinner|drinks?|coffee)\b[^.?!\n]{0,30}\bnot (?:a )?work\b"
    ),
    "rom.personal": (
        r"\bget to know you\b|\bknow (?:you|each other) (?:more|better)\b|\bthinking about you\b"
        r"|\b(?:can'?t|couldn'?t) stop thinking\b|\bhow i feel\b|\bfeelings for\b|\bbetween us\b"
        r"|\bsomeone special\b|\bshare my life\b|\blonely\b|\bnot (?:just|only) professionally\b"
        r"|\boutside (?:of )?work\b|\bbeyond linkedin\b|\bmore personal\b|\bnot as coworkers\b"
        r"|\bmore interested in you\b|\bdating\b|\bdated\b|\b(?:great|have|our) chemistry\b"
        r"|\bwith admiration\b|\b(?:isn'?t|is not) (?:weird|inappropriate)\b|\bmade my day\b"
        r"|\blooking for (?:love|a good (?:woman|man))\b|\bnot (?:a )?(?:work|business) thing\b"
        r"|\bseeing anyone\b|\bare you (?:single|married)\b|\b(?:boy|girl)friend\b|\bcrush\b"
        r"|\bmy love\b|\b(?:caring|honest|serious) (?:woman|man|lady|relationship)\b|\bmiss you\b"
        r"|\b(?:lovely|nice|great|hot) (?:figure|body|legs|voice)\b|\bwant friendship\b"
        r"|\b(?:can'?t|couldn'?t) stop (?:looking|smiling)\b|\bsent you to me\b"
    ),
    "rom.emoji": r"[😍😘😏😉💕❤💋🥰😻💘💖🌹🍷]",
}

# call_to_action: a concrete next step for the recipient.
CALL_TO_ACTION: Mapping[str, str] = {
    "cta.question": r"\?",
    "cta.imperative": (
        r"\b(?:please|kindly|pls) (?:reply|forward|refer|send|call|let|share|contact|review"
        r"|connect|email|text|book|sign|join|fill)\b|\breply (?:yes|to me|back|here)\b"
        r"|\blet me know\b|\blet'?s (?:meet|chat|talk|grab|set|schedule|hop|connect|catch)\b"
        r"|\b(?:send|call|text|email|dm|ping) me\b|\b(?:love|need|want) \d+ min"
        r"|\bbook (?:a|your) (?:slot|call|time)\b|\bwhat'?s (?:your|ur) number\b"
    ),
    "cta.time": (
        rf"\b(?:free|available|around) (?:on |this |next )?{_DAY}\b|\b\d+[- ]?min(?:ute)?s?\b"
    ),
}

# shared_context: something sender and recipient share, or a real link between them.
SHARED_CONTEXT: Mapping[str, str] = {
    "sh.fellow": (
        r"\bfellow\b|\balum(?:ni|na|nus)?\b|(?<![-\w])grad\b|\bwe both\b|\bboth (?:of us|volunteer"
        r"|work"
        r"|running|at|in|from|on|went|did|studied|live|grew|ran|took|attended|joined|play|played"
        r"|support|members?)\b|\bwe'?re both\b|\byou'?re also\b|\balso (?:in|from|at)\b"
        r"|\btoo[!.]|\bi'?ll be there\b|\bsee you there\b|\bnative\b(?!-)|\bsame (?:school|city"
        r"|town"
        r"|company|team|class|program|build|firm|club|gym|circle|cohort|batch|league|course|group"
        r"|lab"
        r"|office)\b|\bin the same\b|\bsame \w+ (?:as you|club|class|group|circle)\b"
        r"|\bsame \w+ (?:course|programme|program|meetup|team|cohort|school|office|floor|year"
        r"|intake|bootcamp|department|league|gym)\b"
        r"|\banother [\w -]{0,30}(?:grad|alum|alumna|alumnus|fan|native|here)\b"
        r"|\btoo(?:[!.,]| and\b|$)|\bas well(?:[!.,]|$)|\bfan here\b|\bother \w+ (?:grads?"
        r"|alums?)\b"
    ),
    "sh.met": (
        r"\bare we still\b|\bwe'?re still on\b|\bour (?:\w+ )?days\b|\bsince the \w+ days\b"
        r"|\b(?:we|i) (?:met|spoke|chatted|talked|sat|worked|played|presented|went through|were"
        r" (?:both|on))\b|\bour (?:chat|call|conversation|coffee|meeting|talk|days)\b"
        r"|\b(?:meeting|met|chatting with|catching up with|working with|presenting alongside)"
        r" you\b|\bcatching up\b|\bthanks (?:again )?for (?:the|covering|sending|taking|your)\b"
        r"|\bthank you (?:again )?for (?:the|taking|your)\b|\bgreat (?:meeting|chatting|catching"
        r"|working|presenting|conversation)\b|\bas (?:i )?(?:promised|mentioned|discussed)\b"
        r"|\byou (?:mentioned|said|suggested|supervised|taught)\b|\bfollowing up\b|\bsince we\b"
        r"|\bhaven'?t spoken\b|\bit'?s been (?:ages|a while|too long)\b|\bback in\b"
        r"|\bremember (?:me|how|when)\b|\bmiss having you\b|\bshared a\b|\bintro to\b"
        r"|\bwe hired\b|\bour crew\b|\boverlapped\b|\bnext to (?:you|your)\b|\bfor you at\b"
        r"|\byour class\b|\bwe discussed\b|\bour (?:\w+ )?(?:walk|lunch|call|dinner|trip|session"
        r"|project|shift|days|meeting|retreat|offsite|reunion)\b|\byou (?:mentored|coached|trained"
        r"|helped"
        r"|interviewed|hosted)\b|\bremember you\b|\byou (?:were|was) (?:my|our)\b|\bran into\b"
        r"|\bmutual (?:friend|connection|contact)\b|\b(?:my|our) (?:sister|brother|cousin|father"
        r"|mother"
        r"|dad|mum|mom|friend|colleague|manager|boss) (?:said|told|mentioned|worked|recommended)\b"
        r"|\byour old (?:boss|team|manager|colleague|lab)\b|\bin the audience\b|\bsat in on\b"
        r"|\b(?:worked|studied|trained|volunteered|served|grew up|lived) (?:together|with you"
        r"|under you)\b"
        r"|\b(?:it was|great|so) (?:so )?(?:nice|good|great) (?:meeting|seeing|to meet)\b"
        r"|\bbump(?:ed|ing) into\b|\bcross(?:ed)? paths\b|\blast (?:i|we) saw\b"
        r"|\bsince (?:we|i) last\b|\b(?:sat|stood) (?:together|next to|beside|behind)\b"
        r"|\bwe went to\b|\bwe (?:were|are) (?:in|on|at) the same\b|\bwe used to\b"
        r"|\bwhen we (?:were|worked|met)\b"
    ),
    "sh.engaged_work": (
        rf"\byour (?:[\w'-]+ ){{0,4}}{_WORK_ITEM}s? (?:on|about|at|in|for|from|was|is|stuck|really"
        rf"|hit|saved|has|last|changed|helped|inspired|made|got|taught|still)\b"
        rf"|\b(?:read|watched|saw|attended|caught|loved|enjoyed|following|followed"
        rf"|admired?|used|heard|liked|listened to|worked through|went through|took|bookmarked"
        rf"|quoted|forked|tried|listening to|sat in)\b"
        rf"[^.?!\n]{{0,40}}\byour\b[^.?!\n]{{0,40}}\b{_WORK_ITEM}\b"
        rf"|\b(?:admired?|loved|followed"
        rf"|following)\b[^.?!\n]{{0,40}}'s (?:\w+ ){{0,2}}{_WORK_ITEM}\b"
        r"|\bgreat job on\b|\bdid the\b[^.?!\n]{0,30}\bfor\b"
        rf"|\byour (?:last|latest|recent|new|first) (?:\w+ )?{_WORK_ITEM}\b"
        rf"|\b(?:great|good|brilliant|excellent|useful|sharp) {_WORK_ITEM}s?\b"
        rf"|\b(?:used|using|read|re-?read|cited|follow(?:ed|ing)?|admired?|adore|love|loved)"
        rf" (?:\w+ ){{0,2}}your\b[^.?!\n]{{0,40}}\b{_WORK_ITEM}"
    ),
    "sh.event": (
        r"\b(?:conference|summit|meetup|career fair|symposium|webinar|mixer|workshop|fundraiser"
        r"|convention|booth|poster session|breakfast|lunch|festival|fest|field day|expo|hackathon"
        r"|club|committee|choir|rehearsal|chapter|reunion|retreat|offsite|social|wedding|picnic"
        r"|iftar"
        r"|parents'?|rotary|congregation|church|mosque|synagogue|temple|standup|stand-up|retro"
        r"|retros"
        r"|grand rounds|q&a|panel|group|community|forum|build|meeting)\b"
    ),
    # Saw or heard the recipient in person, or took part in something they ran.
    "sh.attended": (
        r"\b(?:saw|heard|watched|seen|caught) you (?:speak|present|talk|perform|play|moderate|host"
        r"|teach|demo|give|run|lead|on|at|live)\b|\b(?:in|on|at|from|attended|took|joined|did)"
        r" your (?:[\w'-]+ ){0,3}(?:class|classes|course|cohort|workshop|seminar|lecture|bootcamp"
        r"|program|programme|module|masterclass|training|tutorial|session|webinar|stand|booth"
        r"|academy|camp|choir|club|meetup|event|panel|office hours)\b"
        r"|\b(?:i was|i'?m) one of (?:the )?(?:[\w-]+ ){0,2}(?:in|on|at|who|that|from)\b"
    ),
    # Someone both know sent the sender to the recipient.
    "sh.referred": (
        r"\bsuggested (?:i|we) (?:reach out|get in touch|contact|connect|talk|speak|write|message"
        r"|ask)\b|\bintroduced us\b|\bput us in touch\b|\bpointed me (?:to|towards|your way)\b"
        r"|\bgave me your (?:name|details|contact)\b|\bsent me your way\b"
        r"|\b(?:speaks?|spoke) (?:so |very )?highly of you\b"
        r"|\bsends? (?:her|his|their) (?:regards|best|love)\b"
    ),
    # The two are neighbours or from, or based in, the same place.
    "sh.local": (
        r"\bneighbou?rs?\b|\bneighbou?rhood\b|\bgrew up (?:in|near|around|on|two|down|next)\b"
        r"|\b(?:also|too|as well) (?:based|living|live|working|work) (?:in|out of|near)\b"
        r"|\b(?:based|living|live) (?:in|near) [\w -]{1,30} (?:too|as well)\b|\btransplant\b"
        r"|\bhome ?town\b|\bstreets? from\b|\bdown the (?:road|street)\b"
    ),
    # Negative evidence: praise or "common ground" with nothing specific in it.
    "sh.vague": (
        r"\b(?:admire|love|like|respect|enjoy|appreciate|follow)(?:d)? (?:\w+ ){0,2}your (?:work"
        r"|journey|profile|content|posts|energy|positivity|career|achievements|background"
        r"|experience|company|leadership|passion)\b(?! (?:on|about|at|in|for|with|from)\b)"
        r"|\byour profile is\b|\b(?:both|also|too) (?:in|interested in|passionate about|work in"
        r"|working in) (?:tech|technology|ai|marketing|finance|sales|data|software|business"
        r"|the same (?:industry|field|space|sector))\b|\bas do i\b|\bsame (?:industry|field"
        r"|space|sector)\b|\bgrow my network\b|\bconnecting with (?:leaders|professionals"
        r"|people)\b"
    ),
}

# Case-sensitive: a mutual connection named in full ("Priya Shah said …") or a team cheer.
_CASED_SHARED: Mapping[str, str] = {
    "sh.mutual": (
        r"\b[A-Z][a-z]+ [A-Z][a-z'’]+\b[^.?!\n]{0,40}\b(?:said|mentioned|suggested|recommended"
        r"|told me|referred|thought|introduced|says hi)\b|\b[A-Z][a-z]+ [A-Z][a-z]+'s (?:post|talk"
        r"|team)\b|\b[Ii]ntro(?:duction)? to [A-Z][a-z]+\b"
        # A first name alone is enough when a referral verb follows it.
        r"|\b(?!(?:Hi|Hey|Hello|Dear|Thanks|Someone|Everyone|Nobody|It|He|She|They|This"
        r"|That)\b)[A-Z][a-z]+ (?:(?:from|at|in) (?:the |our |my )?[\w -]{1,30}? )?(?:told me"
        r"|suggested (?:I|we|that)|mentioned (?:you|your|that you)|said you|introduced us"
        r"|recommended (?:you|I|that)|pointed me|put us|gave me your|passed (?:on|along) your"
        r"|thought (?:you|we|I)|says hi|sends)\b"
    ),
    "sh.team": r"\bGo [A-Z][a-z]+!|\b[A-Z][a-z]+ fan\b",
}
# Case-sensitive: a product name doing something for the reader ("FuelNest consolidates …").
_CASED_SALES: Mapping[str, str] = {
    "sale.product_claim": (
        r"\b[A-Z][a-z]+[A-Z]\w* (?:consolidates|automates|captures|cuts|saves|helps|lets|replaces"
        r"|reduces|turns|tracks|flags|screens|syncs|handles)\b"
    ),
}

LABEL_DETECTORS: Mapping[str, Mapping[str, str]] = {
    "job_ask": JOB_ASK,
    "sales_pitch": {**SALES_PITCH, **_CASED_SALES},
    "romantic": ROMANTIC,
    "call_to_action": CALL_TO_ACTION,
    "shared_context": {**SHARED_CONTEXT, **_CASED_SHARED},
}

_COMPILED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, _I))
    for group in (JOB_ASK, SALES_PITCH, ROMANTIC, CALL_TO_ACTION, SHARED_CONTEXT)
    for name, pattern in group.items()
)
_COMPILED_CASED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern)) for name, pattern in {**_CASED_SHARED, **_CASED_SALES}.items()
)

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


def normalise(text: str) -> str:
    """Lower-case ``text`` and fold typographic apostrophes so patterns need only one form."""
    return text.translate(_APOSTROPHES).lower()


def detect(text: str) -> frozenset[str]:
    """Names of the concept detectors that fire on ``text`` (pure, no I/O)."""
    folded = normalise(text)
    cased = text.translate(_APOSTROPHES)
    fired = {name for name, pattern in _COMPILED if pattern.search(folded)}
    fired.update(name for name, pattern in _COMPILED_CASED if pattern.search(cased))
    if measure(text).words <= 12:
        # Very short notes carry little evidence; the models learn how that shifts each label.
        fired.add("short")
    return frozenset(fired)


# Evidence from another label's detectors that a label's model may also weigh: a recruiter
# describing a role (``job.recruiting``) is a common look-alike of a sales pitch.
_BORROWED: Mapping[str, frozenset[str]] = {"sales_pitch": frozenset({"job.recruiting"})}


def features_for(label: str, fired: frozenset[str]) -> frozenset[str]:
    """The subset of ``fired`` that the model for ``label`` may weigh."""
    allowed = LABEL_DETECTORS[label]
    borrowed = _BORROWED.get(label, frozenset())
    return frozenset(n for n in fired if n in allowed or n in borrowed or n == "short")
