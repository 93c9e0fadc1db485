"""Demo and synthetic reflections.

`seed_reflections` gives the demo accounts about six months of varied, realistic and wholly
fictional reflections, written for this project, so every page of a demo site shows
something meaningful. People are only ever labelled ("J", "R", "W"); nothing here is
about a real person.

`generate_reflections` makes any number of plausible but formulaic reflections with bulk
inserts, for load tests and the benchmark (bench/practice_benchmark.py).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from framework.models import Context, Factor, FrameworkVersion, Mechanism, OutcomeDomain
from framework.selectors import current_version
from reflections.models import Action, Chain, ContextRating, OutcomeObservation, Reflection

# Short names for keys, so the scripts below read as prose rather than identifiers.
ACC, PP, EMP, AV, REC = (
    "accepting",
    "personalised_practice",
    "empowering",
    "available",
    "reciprocal",
)
ACCEPTABLE = "i_am_acceptable_or_worthwhile"
PROGRESS = "i_can_be_effective"
OTHERS_SAFE = "others_safe_trusted_like_me"
OTHERS_RECOVER = "others_can_be_effective"
BELONG = "relationships_safe_worthwhile_belong"
MENTALISE = "mentalisation"
SELF_ACCEPTANCE, CONFIDENCE, HOPE = "self_acceptance", "confidence", "hopefulness"
EXPRESSION, RELATIONSHIPS, SKILLS = "self_expression", "relationships", "knowledge_and_skills"

S = Reflection.Setting
C = Reflection.ContactStage


@dataclass(frozen=True)
class Rating:
    presence: int
    factors: tuple[str, ...] = ()
    evidence: str = ""


@dataclass(frozen=True)
class Link:
    context: str
    mechanism: str
    domain: str
    confidence: int
    description: str


@dataclass(frozen=True)
class Step:
    text: str
    due_in_days: int | None = None
    done: bool = False


@dataclass(frozen=True)
class Session:
    """One scripted reflection; `days_ago` counts back from the day the seed runs."""

    days_ago: int
    label: str
    setting: str
    stage: str
    minutes: int
    happened: str
    felt: str = ""
    well: str = ""
    hard: str = ""
    unintended: str = ""
    learning: str = ""
    supervision: bool = False
    draft: bool = False
    ratings: dict[str, Rating] = field(default_factory=dict)
    chains: tuple[Link, ...] = ()
    observations: dict[str, str] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()


# --------------------------------------------------------------------------------------------
# demo-worker: six months with six people
# --------------------------------------------------------------------------------------------

DEMO_WORKER_SESSIONS: tuple[Session, ...] = (
    Session(
        days_ago=178,
        label="J",
        setting=S.WARD,
        stage=C.FIRST,
        minutes=40,
        happened=(
            "First meeting with J on the ward, introduced by the nurse in charge. We sat in the "
            "quiet room. J said a lot of people had asked the same questions already, so I "
            "said I was not there to assess anything, just to get to know them."
        ),
        felt="Nervous beforehand. Wards still take me back a bit.",
        well="J laughed when I admitted I had got lost finding the ward.",
        hard="Long silences. I wanted to fill them and mostly managed not to.",
        learning="Going slowly at the start paid off. Let J set the pace next time too.",
        ratings={
            ACC: Rating(
                3,
                ("relaxed_or_comfortable", "compassion_and_non_judgement"),
                "I said there was nothing J had to tell me today.",
            ),
            PP: Rating(1),
            AV: Rating(2, ("trustworthiness",), "I told J exactly when I would be back."),
            REC: Rating(
                1,
                ("sharing_lived_experience",),
                "Said briefly that I had once been an inpatient too.",
            ),
        },
        chains=(
            Link(
                ACC,
                OTHERS_SAFE,
                EXPRESSION,
                2,
                "Because I did not push, J seemed to feel safer and talked about the noise at night.",
            ),
        ),
        observations={EXPRESSION: "J named what made nights hard on the ward."},
        steps=(Step("Visit again on Thursday as promised", 3, True),),
    ),
    Session(
        days_ago=174,
        label="R",
        setting=S.WALK,
        stage=C.FIRST,
        minutes=60,
        happened=(
            "Met R at the bus stop and walked to the community garden together. R talked about "
            "having grown vegetables years ago and not having been outside much since winter."
        ),
        felt="Relaxed. Walking side by side makes talking easier for both of us.",
        well="R chose the route and knew the short cut.",
        learning="Side by side works better than face to face for R.",
        ratings={
            ACC: Rating(2, ("relaxed_or_comfortable",), "Let R lead the conversation."),
            PP: Rating(
                2,
                ("understanding_the_individual_in_recovery",),
                "Asked what R used to enjoy rather than what was wrong.",
            ),
            EMP: Rating(
                2, ("facilitating_agency_and_control",), "R picked the route and the pace."
            ),
        },
        chains=(
            Link(
                EMP,
                PROGRESS,
                CONFIDENCE,
                2,
                "Leading the walk seemed to remind R that they can still do things.",
            ),
        ),
        observations={CONFIDENCE: "R suggested going further next time."},
        steps=(Step("Ask the garden coordinator about taster sessions", 7, True),),
    ),
    Session(
        days_ago=167,
        label="W",
        setting=S.COMMUNITY,
        stage=C.EARLY,
        minutes=50,
        happened=(
            "Coffee with W at the drop-in. He talked about his son and about how often "
            "services have let him down. He asked whether I would be around over the holidays."
        ),
        felt="Moved by how honest he was. A bit worried about the holiday question.",
        well="He said it was the first time he had talked about his son in months.",
        hard="Not promising more than I can give.",
        learning="Be clear early about when I am and am not available.",
        ratings={
            ACC: Rating(
                3,
                ("understanding_and_validation", "explicitly_valuing_the_person"),
                "Told him it made sense to be wary after being let down.",
            ),
            AV: Rating(
                2,
                ("emotional_presence", "flexible_availability"),
                "Stayed with the hard parts rather than moving on.",
            ),
            REC: Rating(1),
        },
        chains=(
            Link(
                ACC,
                ACCEPTABLE,
                SELF_ACCEPTANCE,
                2,
                "Being believed seemed to help him feel less of a failure as a dad.",
            ),
            Link(
                AV,
                OTHERS_SAFE,
                EXPRESSION,
                2,
                "Staying with him let him say what he had been holding in.",
            ),
        ),
        observations={EXPRESSION: "He spoke about his son for the first time."},
    ),
    Session(
        days_ago=162,
        label="K",
        setting=S.SERVICE,
        stage=C.EARLY,
        minutes=45,
        happened=(
            "K asked me directly whether I had ever self-harmed. I paused, checked why K was "
            "asking, and shared a little about how things were for me at their age and what "
            "helped, without details."
        ),
        felt="Exposed for a moment, then glad I had thought about this in supervision.",
        well="K asked what helped me, which moved us onto their own ideas.",
        hard="Judging how much to say. I kept it short and brought it back to K.",
        learning="The question was about hope, not about my story.",
        supervision=True,
        ratings={
            REC: Rating(
                3,
                ("sharing_lived_experience", "role_modelling_recovery"),
                "Shared briefly, then asked K what they made of it.",
            ),
            ACC: Rating(2, ("compassion_and_non_judgement",)),
            EMP: Rating(1),
        },
        chains=(
            Link(
                REC,
                OTHERS_RECOVER,
                HOPE,
                3,
                "Hearing that I came through it seemed to give K some hope.",
            ),
            Link(
                REC,
                ACCEPTABLE,
                SELF_ACCEPTANCE,
                2,
                "K said they felt less weird for how they cope.",
            ),
        ),
        observations={HOPE: "K said maybe it does not have to be like this forever."},
        steps=(Step("Talk through sharing boundaries in supervision", 14, True),),
    ),
    Session(
        days_ago=156,
        label="J",
        setting=S.WARD,
        stage=C.EARLY,
        minutes=35,
        happened=(
            "Second visit to J. J had been to the ward's art group and showed me a drawing. We "
            "talked about what J wants for after discharge: somewhere quiet and a reason to "
            "get up in the morning."
        ),
        well="J brought up discharge without me asking.",
        learning="Follow J's interests. The drawing opened more than my questions did.",
        ratings={
            PP: Rating(
                3,
                ("understanding_the_individual_in_recovery", "supporting_individual_needs"),
                "Asked about the drawing and what it meant to J.",
            ),
            ACC: Rating(
                2, ("explicitly_valuing_the_person",), "Told J I valued seeing their work."
            ),
            AV: Rating(2, ("trustworthiness",), "Came back when I said I would."),
        },
        chains=(
            Link(
                PP,
                ACCEPTABLE,
                SELF_ACCEPTANCE,
                2,
                "Being interested in the drawing seemed to help J feel worth listening to.",
            ),
            Link(
                AV,
                OTHERS_SAFE,
                EXPRESSION,
                2,
                "Keeping my word seemed to make it easier for J to talk about the future.",
            ),
        ),
        observations={SELF_ACCEPTANCE: "J spoke about the drawing with some pride."},
    ),
    Session(
        days_ago=148,
        label="M",
        setting=S.HOME,
        stage=C.FIRST,
        minutes=50,
        happened=(
            "Home visit to M with the care coordinator's agreement. M had not been out for two "
            "weeks. The curtains were closed and M apologised for the state of the flat."
        ),
        felt="Sad, and aware of not wanting to rush in with solutions.",
        well="M made us both a cup of tea, which seemed to matter to them.",
        hard="M kept apologising. I said there was nothing to apologise for.",
        learning="Accepting the tea was accepting M. Small things count.",
        ratings={
            ACC: Rating(
                3,
                ("compassion_and_non_judgement", "relaxed_or_comfortable"),
                "Said the flat was fine and I was glad to be there.",
            ),
            AV: Rating(2, ("emotional_presence",)),
            PP: Rating(1),
        },
        chains=(
            Link(
                ACC,
                ACCEPTABLE,
                SELF_ACCEPTANCE,
                2,
                "Not judging the flat seemed to ease M's shame a little.",
            ),
            Link(
                ACC,
                BELONG,
                RELATIONSHIPS,
                1,
                "M said it was nice to have someone round who was not checking up.",
            ),
        ),
        observations={RELATIONSHIPS: "M agreed to another visit next week."},
        steps=(Step("Visit M again next week", 7, True),),
    ),
    Session(
        days_ago=141,
        label="R",
        setting=S.COMMUNITY,
        stage=C.EARLY,
        minutes=90,
        happened=(
            "Taster session at the community garden with R. R knew more about planting than "
            "the volunteer running it and ended up showing two others how to sow beans."
        ),
        felt="Delighted. R looked ten years younger.",
        well="R was the expert in the room, not me.",
        learning="Step back when R is doing well. My job today was mostly to get out of the way.",
        ratings={
            EMP: Rating(
                3,
                ("encouraging_recovery_supporting_activity", "facilitating_agency_and_control"),
                "Stood back and let R take over the sowing.",
            ),
            REC: Rating(2, ("mutuality",), "I learnt about beans from R."),
            PP: Rating(2, ("supporting_individual_needs",)),
        },
        chains=(
            Link(
                EMP,
                PROGRESS,
                CONFIDENCE,
                3,
                "Teaching others seemed to show R they still have a lot to give.",
            ),
            Link(
                REC,
                BELONG,
                RELATIONSHIPS,
                2,
                "Swapping knowledge both ways made it feel like a shared project.",
            ),
        ),
        observations={
            CONFIDENCE: "R asked about coming every week.",
            RELATIONSHIPS: "R chatted with two other gardeners over tea.",
        },
    ),
    Session(
        days_ago=133,
        label="W",
        setting=S.COMMUNITY,
        stage=C.LATER,
        minutes=60,
        happened=(
            "Difficult session. W had been sending messages to the team phone late in the "
            "evening and asked for my personal number so he could reach me directly. I said no "
            "and explained why, and he left early, upset."
        ),
        felt="Guilty and unsettled for the rest of the day.",
        hard="Holding the boundary when he said I was just like everyone else.",
        unintended=(
            "My answer may have felt like another rejection. I may also have been more "
            "available earlier than I could keep up, which set this up."
        ),
        learning="Boundaries are easier to set at the start than to introduce later.",
        supervision=True,
        ratings={
            AV: Rating(
                3,
                ("flexible_availability", "trustworthiness"),
                "Explained what I can offer and when, and that it is the same for everyone.",
            ),
            ACC: Rating(1, (), "Tried to acknowledge his frustration."),
            EMP: Rating(1),
        },
        chains=(
            Link(
                AV,
                OTHERS_SAFE,
                RELATIONSHIPS,
                1,
                "Not sure. I hope being consistent will feel safer in the long run.",
            ),
        ),
        steps=(
            Step("Bring the late messages to supervision", 7, True),
            Step("Agree a clear contact plan with W and the team", 14, True),
        ),
    ),
    Session(
        days_ago=126,
        label="K",
        setting=S.SERVICE,
        stage=C.EARLY,
        minutes=45,
        happened=(
            "K was angry about a row with their mum and could not say why it had got so big. "
            "We slowed it down together: what happened first, what K felt, what they thought "
            "mum felt."
        ),
        well="K named feeling left out, not just angry.",
        learning="Helping K put words to feelings is something I could do more deliberately.",
        ratings={
            ACC: Rating(2, ("understanding_and_validation",), "Said the anger made sense to me."),
            EMP: Rating(
                2,
                ("facilitating_agency_and_control",),
                "Asked K what they wanted to do next rather than suggesting.",
            ),
            REC: Rating(1),
        },
        chains=(
            Link(
                EMP,
                MENTALISE,
                EXPRESSION,
                2,
                "Slowing down seemed to help K understand what was under the anger.",
            ),
        ),
        observations={EXPRESSION: "K could say what they needed from their mum."},
    ),
    Session(
        days_ago=119,
        label="J",
        setting=S.COMMUNITY,
        stage=C.LATER,
        minutes=60,
        happened=(
            "J is home now. We met at the café by the library, J's choice. J talked about how "
            "strange it is to have whole days to fill and asked how I managed after hospital."
        ),
        felt="Hopeful for J.",
        well="J chose the place and got there on their own.",
        hard="Answering how I managed without making it sound easy.",
        learning="Share the messy middle, not just the ending.",
        ratings={
            REC: Rating(
                3,
                ("sharing_lived_experience", "role_modelling_recovery"),
                "Talked about the first weeks home being the hardest for me too.",
            ),
            EMP: Rating(2, ("facilitating_agency_and_control",), "J chose where and when."),
            AV: Rating(1),
        },
        chains=(
            Link(
                REC,
                OTHERS_RECOVER,
                HOPE,
                3,
                "Hearing that it got easier for me seemed to give J hope.",
            ),
            Link(EMP, PROGRESS, CONFIDENCE, 2, "Getting to the café alone was a real step for J."),
        ),
        observations={
            HOPE: "J talked about next month as if it would be better.",
            CONFIDENCE: "J travelled alone for the first time since discharge.",
        },
    ),
    Session(
        days_ago=111,
        label="R",
        setting=S.COMMUNITY,
        stage=C.LATER,
        minutes=90,
        happened=(
            "R now goes to the garden on their own on Tuesdays. Today we met there and R "
            "asked about volunteering properly. We looked at what the volunteer induction "
            "involves."
        ),
        well="R wants to do the induction training.",
        learning="R's recovery is leading the way now. Keep following.",
        ratings={
            EMP: Rating(
                3,
                ("encouraging_recovery_supporting_activity",),
                "Helped R find out about induction, R made the call.",
            ),
            PP: Rating(2, ("understanding_the_individual_in_recovery",)),
            REC: Rating(1),
        },
        chains=(
            Link(
                EMP,
                PROGRESS,
                SKILLS,
                2,
                "Wanting to train as a volunteer seemed to come from R feeling capable again.",
            ),
        ),
        observations={SKILLS: "R is learning the garden's volunteer routines."},
        steps=(Step("Check in after R's induction", 21, True),),
    ),
    Session(
        days_ago=104,
        label="M",
        setting=S.HOME,
        stage=C.EARLY,
        minutes=45,
        happened=(
            "Second home visit. Curtains open this time. M said they had thought about walking "
            "to the corner shop but did not. We talked about what made it hard."
        ),
        well="M told me about the shop without me asking.",
        hard="Wanting to suggest we go together there and then. I asked instead.",
        learning="M decides. I can offer, not push.",
        ratings={
            ACC: Rating(2, ("compassion_and_non_judgement",)),
            PP: Rating(2, ("supporting_individual_needs",), "Asked what would make it easier."),
            EMP: Rating(2, ("facilitating_agency_and_control",), "Left the decision with M."),
            AV: Rating(2, ("trustworthiness",)),
        },
        chains=(
            Link(
                EMP, PROGRESS, CONFIDENCE, 1, "Thinking about the shop at all may be a first step."
            ),
            Link(ACC, ACCEPTABLE, SELF_ACCEPTANCE, 2, "M seemed less ashamed this time."),
        ),
    ),
    Session(
        days_ago=97,
        label="W",
        setting=S.SERVICE,
        stage=C.LATER,
        minutes=45,
        happened=(
            "Three-way meeting with W and his care coordinator to agree how and when he "
            "can contact me. He was quiet at first, then said he had felt dropped. We agreed "
            "a weekly time and what to do out of hours."
        ),
        felt="Relieved we could talk about it openly.",
        well="W said he knew where he stood now.",
        learning="Repair matters as much as the boundary.",
        ratings={
            AV: Rating(
                3,
                ("trustworthiness", "flexible_availability"),
                "Agreed a weekly time that fits his week.",
            ),
            ACC: Rating(
                2, ("understanding_and_validation",), "Said it made sense he felt dropped."
            ),
            EMP: Rating(2, ("sharing_power_aiming_for_equality",), "W set the day and time."),
        },
        chains=(
            Link(
                AV,
                OTHERS_SAFE,
                RELATIONSHIPS,
                2,
                "Knowing what to expect seemed to make the relationship feel safer to him.",
            ),
            Link(
                EMP,
                BELONG,
                RELATIONSHIPS,
                1,
                "Deciding the plan together felt more like a partnership.",
            ),
        ),
        observations={RELATIONSHIPS: "He stayed for a coffee afterwards."},
    ),
    Session(
        days_ago=90,
        label="K",
        setting=S.WALK,
        stage=C.LATER,
        minutes=50,
        happened=(
            "Walk along the canal with K. K talked about starting college again in the "
            "autumn and being scared of being the odd one out."
        ),
        well="K planned what to say if people ask about the gap year.",
        learning="Practising words in advance gives K some control.",
        ratings={
            EMP: Rating(2, ("facilitating_agency_and_control",), "K wrote their own script."),
            REC: Rating(2, ("role_modelling_recovery",), "Said I went back to study later too."),
            PP: Rating(2, ("understanding_the_individual_in_recovery",)),
        },
        chains=(
            Link(
                EMP, PROGRESS, CONFIDENCE, 2, "Having a plan seemed to make college feel possible."
            ),
            Link(REC, OTHERS_RECOVER, HOPE, 2, "Knowing I went back later seemed to help."),
        ),
        observations={CONFIDENCE: "K said they would visit the college open day."},
    ),
    Session(
        days_ago=83,
        label="R",
        setting=S.COMMUNITY,
        stage=C.LATER,
        minutes=30,
        happened="Short catch-up at the garden. R finished the induction and has a regular slot.",
        well="R introduced me to the other volunteers as a friend from the peer service.",
        ratings={
            EMP: Rating(2, ("encouraging_recovery_supporting_activity",)),
            REC: Rating(2, ("mutuality",)),
        },
        chains=(
            Link(REC, BELONG, RELATIONSHIPS, 2, "R seems to belong somewhere again, and says so."),
        ),
        observations={RELATIONSHIPS: "R has made a friend at the garden."},
    ),
    Session(
        days_ago=76,
        label="M",
        setting=S.WALK,
        stage=C.LATER,
        minutes=30,
        happened="M and I walked to the corner shop and back. M's idea. It took twenty minutes.",
        felt="Proud of M and careful not to make too much of it.",
        well="M chose the time of day when the street is quiet.",
        ratings={
            EMP: Rating(3, ("facilitating_agency_and_control",), "M planned the walk."),
            PP: Rating(2, ("supporting_individual_needs",), "Went at the quiet time M chose."),
            AV: Rating(2, ("emotional_presence",)),
        },
        chains=(
            Link(
                EMP,
                PROGRESS,
                CONFIDENCE,
                3,
                "Doing the walk they had planned seemed to show M they can.",
            ),
        ),
        observations={CONFIDENCE: "M is thinking about going alone next week."},
    ),
    Session(
        days_ago=69,
        label="W",
        setting=S.COMMUNITY,
        stage=C.LATER,
        minutes=50,
        happened=(
            "W talked about the anniversary of his dad's death coming up. I shared that "
            "anniversaries are hard for me too, then stopped, because he wanted to talk about "
            "his own."
        ),
        hard="I nearly went on about my own experience. Caught it.",
        learning="Before sharing: whose need is this meeting?",
        supervision=True,
        ratings={
            REC: Rating(2, ("sharing_lived_experience",), "Shared one sentence, then listened."),
            ACC: Rating(3, ("understanding_and_validation",)),
            AV: Rating(2, ("emotional_presence",)),
        },
        chains=(
            Link(ACC, OTHERS_SAFE, EXPRESSION, 2, "He talked about grief more openly than before."),
        ),
        observations={EXPRESSION: "He talked about his dad and cried a little."},
    ),
    Session(
        days_ago=62,
        label="J",
        setting=S.COMMUNITY,
        stage=C.LATER,
        minutes=60,
        happened=(
            "Setback. J had stopped going to the art group and was sleeping in the day again. "
            "J said they felt they had let me down. We talked about setbacks being part of it."
        ),
        felt="Worried, and aware of J watching my reaction.",
        hard="Not showing disappointment. I was not disappointed in J, but worried.",
        unintended=(
            "J feeling they had let me down suggests my encouragement may have become "
            "pressure. Check how I respond to progress."
        ),
        learning="Celebrate effort, not milestones. Recovery is not a straight line.",
        supervision=True,
        ratings={
            ACC: Rating(
                3,
                ("compassion_and_non_judgement", "understanding_and_validation"),
                "Said J had not let anyone down.",
            ),
            REC: Rating(2, ("role_modelling_recovery",), "Talked about my own setbacks."),
            AV: Rating(2, ("emotional_presence",)),
            EMP: Rating(1),
        },
        chains=(
            Link(
                ACC,
                ACCEPTABLE,
                SELF_ACCEPTANCE,
                2,
                "J seemed relieved not to be judged for the setback.",
            ),
            Link(
                REC, OTHERS_RECOVER, HOPE, 1, "Hearing about my setbacks may have helped a little."
            ),
        ),
        observations={SELF_ACCEPTANCE: "J said maybe it is not all their fault."},
        steps=(Step("Ask J what support would help with the art group", 7, False),),
    ),
    Session(
        days_ago=55,
        label="K",
        setting=S.SERVICE,
        stage=C.LATER,
        minutes=40,
        happened="K went to the college open day and met one of the tutors. We talked it through.",
        well="K did it on their own and told me about it with a grin.",
        ratings={
            EMP: Rating(3, ("facilitating_agency_and_control",)),
            ACC: Rating(1),
            REC: Rating(1),
        },
        chains=(Link(EMP, PROGRESS, CONFIDENCE, 3, "Going alone seemed to build K's confidence."),),
        observations={CONFIDENCE: "K has applied for the course."},
    ),
    Session(
        days_ago=48,
        label="M",
        setting=S.COMMUNITY,
        stage=C.LATER,
        minutes=60,
        happened=(
            "M came to the peer support group for the first time. I met M at the door. M "
            "stayed for the whole hour and spoke once, about their cat."
        ),
        felt="Pleased. M looked tired but stayed.",
        well="Another member talked to M about cats afterwards.",
        ratings={
            AV: Rating(2, ("trustworthiness",), "Met M at the door as agreed."),
            REC: Rating(2, ("mutuality",)),
            ACC: Rating(2, ("relaxed_or_comfortable",)),
        },
        chains=(
            Link(
                AV,
                BELONG,
                RELATIONSHIPS,
                2,
                "Being met at the door seemed to make the group feel safe enough.",
            ),
        ),
        observations={RELATIONSHIPS: "M talked with another member after the group."},
    ),
    Session(
        days_ago=41,
        label="R",
        setting=S.COMMUNITY,
        stage=C.LATER,
        minutes=30,
        happened=(
            "R asked whether we still need to meet. We talked about ending well: a couple more "
            "sessions and a plan for what R does if things get harder."
        ),
        felt="Mixed. Glad for R and a bit sad to be ending.",
        learning="Endings are part of the work. Plan them with the person.",
        ratings={
            EMP: Rating(3, ("sharing_power_aiming_for_equality",), "R decided when to end."),
            PP: Rating(2, ("understanding_the_individual_in_recovery",)),
            REC: Rating(2, ("mutuality",), "Told R what I had learnt from them."),
        },
        chains=(
            Link(
                EMP,
                PROGRESS,
                CONFIDENCE,
                3,
                "Choosing to end seemed to come from feeling able to manage.",
            ),
        ),
        observations={CONFIDENCE: "R wrote their own plan for hard days."},
        steps=(Step("Plan the last session with R", 14, False),),
    ),
    Session(
        days_ago=37,
        label="T",
        setting=S.WARD,
        stage=C.FIRST,
        minutes=30,
        happened=(
            "First meeting with T on the ward. T did not want to talk much and asked me to "
            "come back another day. I said I would, and left a leaflet about the service."
        ),
        felt="Fine. Not every first meeting is a conversation.",
        learning="Respecting no is part of being accepting.",
        ratings={
            ACC: Rating(2, ("compassion_and_non_judgement",), "Said that was completely fine."),
            AV: Rating(2, ("trustworthiness",), "Said when I would come back."),
            EMP: Rating(1, ("facilitating_agency_and_control",), "T decided how long we met."),
        },
        chains=(),
        steps=(Step("Return to see T", 5, True),),
    ),
    Session(
        days_ago=33,
        label="W",
        setting=S.COMMUNITY,
        stage=C.LATER,
        minutes=60,
        happened=(
            "W has kept to the weekly time for a month. Today he talked about contacting "
            "his son. We thought together about what he might say and how his son might feel."
        ),
        well="He thought about his son's side, not only his own.",
        learning="W is ready to think about others' feelings as well as his own.",
        ratings={
            AV: Rating(2, ("trustworthiness",)),
            ACC: Rating(2, ("understanding_and_validation",)),
            PP: Rating(2, ("supporting_individual_needs",), "Went at his pace on a big topic."),
        },
        chains=(
            Link(
                PP, BELONG, RELATIONSHIPS, 2, "He seems to believe reconnecting might be possible."
            ),
        ),
        observations={RELATIONSHIPS: "He is drafting a message to his son."},
    ),
    Session(
        days_ago=28,
        label="J",
        setting=S.COMMUNITY,
        stage=C.LATER,
        minutes=60,
        happened=(
            "J went back to the art group and brought a new drawing to show me. J said "
            "knowing I would not be cross made it easier to go back."
        ),
        felt="Really moved.",
        well="J named what helped, which will help us both.",
        learning="The setback session mattered more than I realised at the time.",
        ratings={
            ACC: Rating(3, ("compassion_and_non_judgement",)),
            PP: Rating(2, ("supporting_individual_needs",)),
            REC: Rating(2, ("mutuality",), "Told J how much I enjoy seeing their work."),
            AV: Rating(2, ("trustworthiness",)),
        },
        chains=(
            Link(
                ACC,
                ACCEPTABLE,
                SELF_ACCEPTANCE,
                3,
                "Not being judged seemed to let J go back without shame.",
            ),
            Link(ACC, OTHERS_SAFE, EXPRESSION, 2, "J told me plainly what had helped."),
        ),
        observations={
            SELF_ACCEPTANCE: "J talked about the setback without blaming themselves.",
            EXPRESSION: "J said what had helped in their own words.",
        },
    ),
    Session(
        days_ago=24,
        label="T",
        setting=S.WARD,
        stage=C.EARLY,
        minutes=45,
        happened=(
            "T was more open today and asked whether I had really been in hospital too. We "
            "talked about the food, the boredom, and what helped the days go faster."
        ),
        well="We laughed about the ward toast.",
        ratings={
            REC: Rating(3, ("sharing_lived_experience",), "Answered honestly and briefly."),
            ACC: Rating(2, ("relaxed_or_comfortable",)),
            AV: Rating(1),
        },
        chains=(
            Link(
                REC,
                OTHERS_SAFE,
                EXPRESSION,
                2,
                "Knowing I had been there too seemed to make it easier for T to talk.",
            ),
        ),
        observations={EXPRESSION: "T talked about how bored and scared they had been."},
    ),
    Session(
        days_ago=19,
        label="K",
        setting=S.SERVICE,
        stage=C.LATER,
        minutes=45,
        happened=(
            "K got a place on the course. We talked about how K will look after themselves "
            "when things get busy, and about our sessions ending in the new year."
        ),
        well="K listed early warning signs and what helps, in their own words.",
        learning="K understands their own patterns much better than in the spring.",
        ratings={
            EMP: Rating(3, ("facilitating_agency_and_control",)),
            PP: Rating(2, ("understanding_the_individual_in_recovery",)),
            REC: Rating(1),
        },
        chains=(
            Link(
                EMP,
                MENTALISE,
                CONFIDENCE,
                2,
                "Naming their own warning signs seemed to give K a sense of control.",
            ),
            Link(EMP, PROGRESS, CONFIDENCE, 3, "K is proud of getting the place."),
        ),
        observations={
            CONFIDENCE: "K made their own plan for busy weeks.",
            HOPE: "K talked about next year with excitement.",
        },
    ),
    Session(
        days_ago=15,
        label="M",
        setting=S.COMMUNITY,
        stage=C.LATER,
        minutes=60,
        happened="M came to the group again and stayed for lunch afterwards with two members.",
        well="M made plans with another member without me.",
        ratings={
            REC: Rating(2, ("mutuality",)),
            EMP: Rating(2, ("encouraging_recovery_supporting_activity",)),
            AV: Rating(1),
        },
        chains=(
            Link(
                REC,
                BELONG,
                RELATIONSHIPS,
                3,
                "Sharing lunch with people who get it seemed to help M feel they belong.",
            ),
        ),
        observations={RELATIONSHIPS: "M has a plan to meet a group member for coffee."},
    ),
    Session(
        days_ago=12,
        label="T",
        setting=S.WARD,
        stage=C.EARLY,
        minutes=40,
        happened=(
            "T is due to leave the ward soon and is anxious about going home alone. We talked "
            "about what the first week could look like and what T wants from me."
        ),
        hard="T asked me to phone every day. I said what I can offer and we agreed twice a week.",
        learning="Said the boundary kindly and early this time. It went better than with W.",
        ratings={
            AV: Rating(
                3,
                ("flexible_availability", "trustworthiness"),
                "Offered two calls a week and said why not every day.",
            ),
            PP: Rating(2, ("supporting_individual_needs",), "Planned around T's worries."),
            EMP: Rating(2, ("facilitating_agency_and_control",), "T chose the days."),
        },
        chains=(
            Link(
                AV,
                OTHERS_SAFE,
                RELATIONSHIPS,
                2,
                "Knowing exactly when I will call seemed to calm T.",
            ),
        ),
        steps=(Step("Set up the two weekly calls with T", 3, False),),
    ),
    Session(
        days_ago=8,
        label="W",
        setting=S.COMMUNITY,
        stage=C.LATER,
        minutes=45,
        happened="W sent the message to his son. No reply yet. We talked about waiting.",
        felt="Hoping for him.",
        ratings={
            AV: Rating(2, ("emotional_presence",)),
            ACC: Rating(2, ("understanding_and_validation",)),
            REC: Rating(1),
        },
        chains=(Link(AV, BELONG, HOPE, 1, "He seems to hope the relationship can be repaired."),),
        observations={HOPE: "He talked about what he would say if his son replied."},
    ),
    Session(
        days_ago=5,
        label="J",
        setting=S.COMMUNITY,
        stage=C.LATER,
        minutes=50,
        happened=(
            "J asked about becoming a peer volunteer one day. We talked about what that would "
            "involve and what J would bring."
        ),
        ratings={
            REC: Rating(3, ("role_modelling_recovery",), "Talked about how I started."),
            EMP: Rating(2, ("encouraging_recovery_supporting_activity",)),
        },
        chains=(
            Link(REC, OTHERS_RECOVER, HOPE, 2, "Seeing my path seemed to make J's feel possible."),
        ),
        supervision=True,
        draft=True,
    ),
    Session(
        days_ago=2,
        label="T",
        setting=S.HOME,
        stage=C.EARLY,
        minutes=30,
        happened="First call with T since discharge. T is managing but the evenings are long.",
        ratings={
            AV: Rating(2, ("trustworthiness",), "Called when I said I would."),
            ACC: Rating(1),
        },
        draft=True,
    ),
)


# --------------------------------------------------------------------------------------------
# demo-worker-2 and other-worker: a few each
# --------------------------------------------------------------------------------------------

SECOND_WORKER_SESSIONS: tuple[Session, ...] = (
    Session(
        days_ago=60,
        label="B",
        setting=S.SERVICE,
        stage=C.FIRST,
        minutes=45,
        happened="First meeting with B at the service. B wanted help getting back into swimming.",
        ratings={
            PP: Rating(
                3, ("understanding_the_individual_in_recovery",), "Asked what swimming meant to B."
            ),
            EMP: Rating(2, ("encouraging_recovery_supporting_activity",)),
        },
        chains=(Link(PP, PROGRESS, CONFIDENCE, 2, "Planning it together made it seem doable."),),
    ),
    Session(
        days_ago=40,
        label="B",
        setting=S.COMMUNITY,
        stage=C.EARLY,
        minutes=60,
        happened="Went with B to the leisure centre to look around. B bought a month's pass.",
        ratings={
            EMP: Rating(3, ("facilitating_agency_and_control",)),
            AV: Rating(2, ("trustworthiness",)),
        },
        chains=(Link(EMP, PROGRESS, CONFIDENCE, 3, "Buying the pass was B's own decision."),),
        observations={CONFIDENCE: "B has booked a first swim."},
    ),
    Session(
        days_ago=21,
        label="Oak",
        setting=S.WARD,
        stage=C.FIRST,
        minutes=30,
        happened="Met Oak on the ward. Oak talked about feeling nobody understands voices.",
        ratings={
            REC: Rating(2, ("sharing_lived_experience",), "Said I have heard voices too."),
            ACC: Rating(3, ("understanding_and_validation",)),
        },
        chains=(Link(REC, OTHERS_SAFE, EXPRESSION, 2, "Oak opened up once they knew."),),
        supervision=True,
    ),
    Session(
        days_ago=9,
        label="B",
        setting=S.COMMUNITY,
        stage=C.LATER,
        minutes=45,
        happened="B has been swimming twice on their own and talked about joining a club.",
        ratings={EMP: Rating(2), REC: Rating(2, ("mutuality",))},
        chains=(Link(EMP, PROGRESS, HOPE, 2, "B is talking about the future."),),
    ),
    Session(
        days_ago=1,
        label="Oak",
        setting=S.WARD,
        stage=C.EARLY,
        minutes=30,
        happened="Second visit to Oak. Quieter today; we sat and watched the garden.",
        ratings={AV: Rating(2, ("emotional_presence",))},
        draft=True,
    ),
)

OTHER_WORKER_SESSIONS: tuple[Session, ...] = (
    Session(
        days_ago=50,
        label="P",
        setting=S.HOME,
        stage=C.FIRST,
        minutes=60,
        happened="Home visit to P, who cares for a parent and has little time for themselves.",
        ratings={
            ACC: Rating(3, ("explicitly_valuing_the_person",), "Said how much P does for others."),
            PP: Rating(2, ("supporting_individual_needs",)),
        },
        chains=(Link(ACC, ACCEPTABLE, SELF_ACCEPTANCE, 2, "P seemed surprised to be valued."),),
    ),
    Session(
        days_ago=30,
        label="P",
        setting=S.COMMUNITY,
        stage=C.EARLY,
        minutes=60,
        happened="Met P at a carers' café. P talked with another carer for the first time.",
        ratings={REC: Rating(2, ("mutuality",)), AV: Rating(2, ("flexible_availability",))},
        chains=(Link(REC, BELONG, RELATIONSHIPS, 2, "P found someone in the same boat."),),
        observations={RELATIONSHIPS: "P swapped ideas with another carer."},
    ),
    Session(
        days_ago=10,
        label="Fern",
        setting=S.WALK,
        stage=C.FIRST,
        minutes=45,
        happened="Walk in the park with Fern, who has just moved to the area and knows nobody.",
        ratings={ACC: Rating(2), AV: Rating(2, ("trustworthiness",))},
        chains=(Link(AV, OTHERS_SAFE, EXPRESSION, 1, "Fern talked a little about the move."),),
    ),
)

# --------------------------------------------------------------------------------------------
# Seeding
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parts:
    version: FrameworkVersion
    contexts: dict[str, Context]
    factors: dict[tuple[str, str], Factor]
    mechanisms: dict[str, Mechanism]
    domains: dict[str, OutcomeDomain]


def _parts(version: FrameworkVersion) -> _Parts:
    contexts = {context.key: context for context in version.contexts.all()}
    factors = {
        (factor.context.key, factor.key): factor
        for factor in Factor.objects.filter(context__version=version).select_related("context")
    }
    return _Parts(
        version=version,
        contexts=contexts,
        factors=factors,
        mechanisms={mechanism.key: mechanism for mechanism in version.mechanisms.all()},
        domains={domain.key: domain for domain in version.outcome_domains.all()},
    )


def _organisation_of(user: User) -> Organisation:
    membership = (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organisation")
        .order_by("joined_at", "id")
        .first()
    )
    if membership is None:
        raise ValueError(f"{user.username} has no active membership to write reflections in.")
    return membership.organisation


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _write(
    *, session: Session, author: User, organisation: Organisation, parts: _Parts, today: date
) -> Reflection:
    day = today - timedelta(days=session.days_ago)
    reflection = Reflection.objects.create(
        author=author,
        organisation=organisation,
        framework_version=parts.version,
        status=Reflection.Status.DRAFT if session.draft else Reflection.Status.SUBMITTED,
        session_date=day,
        duration_minutes=session.minutes,
        setting=session.setting,
        contact_stage=session.stage,
        person_label=session.label,
        what_happened=session.happened,
        how_i_felt=session.felt,
        went_well=session.well,
        was_hard=session.hard,
        unintended_effects=session.unintended,
        learning=session.learning,
        bring_to_supervision=session.supervision,
        submitted_at=None if session.draft else _at(day, 17),
    )
    for key, context in parts.contexts.items():
        rating = session.ratings.get(key, Rating(0))
        row = ContextRating.objects.create(
            reflection=reflection,
            context=context,
            presence=rating.presence,
            evidence=rating.evidence,
        )
        row.factors.set([parts.factors[(key, factor)] for factor in rating.factors])
    for order, link in enumerate(session.chains, start=1):
        Chain.objects.create(
            reflection=reflection,
            order=order,
            context=parts.contexts[link.context],
            mechanism=parts.mechanisms[link.mechanism],
            outcome_domain=parts.domains[link.domain],
            description=link.description,
            confidence=link.confidence,
        )
    for key, text in session.observations.items():
        OutcomeObservation.objects.create(
            reflection=reflection, domain=parts.domains[key], observation=text
        )
    for order, step in enumerate(session.steps, start=1):
        Action.objects.create(
            reflection=reflection,
            order=order,
            text=step.text,
            due_on=day + timedelta(days=step.due_in_days) if step.due_in_days else None,
            done_at=_at(day + timedelta(days=step.due_in_days or 1), 12) if step.done else None,
        )
    return reflection


def _seed_author(*, author: User, sessions: Sequence[Session], parts: _Parts, today: date) -> int:
    """Write the sessions `author` does not have yet; the opening text identifies each one."""
    existing = set(Reflection.objects.filter(author=author).values_list("what_happened", flat=True))
    organisation = _organisation_of(author)
    created = 0
    for session in sessions:
        if session.happened in existing:
            continue
        _write(session=session, author=author, organisation=organisation, parts=parts, today=today)
        created += 1
    return created


@transaction.atomic
def seed_reflections(
    *, demo_worker: User, demo_worker_2: User, other_worker: User, today: date
) -> int:
    """Give the demo workers their reflections, dated back from `today`; return how many were new.

    demo-worker gets about six months with six people (two recent drafts among them);
    demo-worker-2 and other-worker a few each. Each author's reflections are written in the
    organisation of their first active membership, against the current framework version.
    Idempotent: a reflection whose opening text the author already has is not written again,
    so running it twice, even on different days, adds nothing.
    """
    version = current_version()
    if version is None:
        raise ValueError(
            "Load the framework (manage.py load_framework) before seeding reflections."
        )
    parts = _parts(version)
    return sum(
        _seed_author(author=author, sessions=sessions, parts=parts, today=today)
        for author, sessions in (
            (demo_worker, DEMO_WORKER_SESSIONS),
            (demo_worker_2, SECOND_WORKER_SESSIONS),
            (other_worker, OTHER_WORKER_SESSIONS),
        )
    )


def demo_texts() -> list[str]:
    """Every piece of free text the demo writes, for the privacy check in the tests."""
    texts: list[str] = []
    for session in (*DEMO_WORKER_SESSIONS, *SECOND_WORKER_SESSIONS, *OTHER_WORKER_SESSIONS):
        texts += [
            session.label,
            session.happened,
            session.felt,
            session.well,
            session.hard,
            session.unintended,
            session.learning,
        ]
        texts += [rating.evidence for rating in session.ratings.values()]
        texts += [link.description for link in session.chains]
        texts += list(session.observations.values())
        texts += [step.text for step in session.steps]
    return [text for text in texts if text]


# --------------------------------------------------------------------------------------------
# Synthetic reflections in bulk, for load tests and the benchmark
# --------------------------------------------------------------------------------------------

_SYNTHETIC_TEXT = (
    "We met for a coffee and talked about the week.",
    "A walk to the park; the person chose the route and talked about family.",
    "Visited on the ward; quiet session, mostly listening.",
    "Went to the community garden together and planted seeds.",
    "Talked about going back to college and what might help.",
    "A hard session: boundaries around contact between sessions came up.",
    "Shared a little of my own recovery when asked, then listened.",
    "Planned the first steps back into a hobby they used to love.",
)
# Mechanisms most often recorded from each context, roughly as in the evidence.
_LIKELY_MECHANISMS = {
    ACC: (ACCEPTABLE, OTHERS_SAFE, BELONG),
    PP: (ACCEPTABLE, PROGRESS, BELONG),
    EMP: (PROGRESS, PROGRESS, MENTALISE, OTHERS_RECOVER),
    AV: (OTHERS_SAFE, ACCEPTABLE, BELONG),
    REC: (OTHERS_RECOVER, ACCEPTABLE, BELONG),
}
_LIKELY_DOMAINS = {
    ACCEPTABLE: (SELF_ACCEPTANCE, EXPRESSION),
    PROGRESS: (CONFIDENCE, SKILLS),
    OTHERS_SAFE: (EXPRESSION, RELATIONSHIPS),
    OTHERS_RECOVER: (HOPE, HOPE, CONFIDENCE),
    BELONG: (RELATIONSHIPS, SELF_ACCEPTANCE),
    MENTALISE: (EXPRESSION, CONFIDENCE),
}


@transaction.atomic
def generate_reflections(
    *,
    author: User,
    organisation: Organisation,
    version: FrameworkVersion,
    count: int,
    today: date,
    days: int = 365,
    seed: int = 0,
    status: str = Reflection.Status.SUBMITTED,
) -> list[Reflection]:
    """Create `count` plausible reflections with ratings, factors, chains and observations.

    Spread over the `days` before `today` and reproducible for a given `seed`. Written with
    bulk inserts (batched by the database's parameter limit), never a query per reflection,
    so tests and the benchmark can create 1,000 in a second or two.
    """
    # Not for security: a seeded generator makes the synthetic data reproducible.
    rng = random.Random(seed)  # noqa: S311
    parts = _parts(version)
    context_keys = list(parts.contexts)
    reflections = Reflection.objects.bulk_create(
        [
            Reflection(
                author=author,
                organisation=organisation,
                framework_version=version,
                status=status,
                session_date=today - timedelta(days=rng.randrange(days)),
                duration_minutes=rng.choice((30, 45, 60, 90)),
                setting=rng.choice(Reflection.Setting.values),
                contact_stage=rng.choice(Reflection.ContactStage.values),
                person_label=rng.choice(("J", "R", "K", "M", "T", "W")),
                what_happened=rng.choice(_SYNTHETIC_TEXT),
                learning=rng.choice(("", "Go at their pace.", "Be clear about boundaries early.")),
                bring_to_supervision=rng.random() < 0.15,
                submitted_at=timezone.now() if status == Reflection.Status.SUBMITTED else None,
            )
            for _index in range(count)
        ],
        batch_size=500,
    )
    ratings: list[ContextRating] = []
    presences: list[dict[str, int]] = []
    for reflection in reflections:
        presence = {key: rng.choices((0, 1, 2, 3), weights=(3, 3, 3, 2))[0] for key in context_keys}
        presences.append(presence)
        ratings += [
            ContextRating(
                reflection=reflection,
                context=parts.contexts[key],
                presence=value,
                evidence="Listened and reflected back." if value >= 2 else "",
            )
            for key, value in presence.items()
        ]
    ratings = ContextRating.objects.bulk_create(ratings, batch_size=1000)
    factors_by_context: dict[str, list[Factor]] = {}
    for (context_key, _factor_key), factor in parts.factors.items():
        factors_by_context.setdefault(context_key, []).append(factor)
    through = ContextRating.factors.through
    through.objects.bulk_create(
        [
            through(
                contextrating_id=rating.pk,
                factor_id=rng.choice(factors_by_context[rating.context.key]).pk,
            )
            for rating in ratings
            if rating.presence is not None and rating.presence >= 2
        ],
        batch_size=1000,
    )
    chains: list[Chain] = []
    observations: list[OutcomeObservation] = []
    for reflection, presence in zip(reflections, presences, strict=True):
        present = [key for key, value in presence.items() if value >= 2] or context_keys[:1]
        for order in range(1, rng.choice((0, 1, 1, 2, 2, 3)) + 1):
            context_key = rng.choice(present)
            mechanism_key = rng.choice(_LIKELY_MECHANISMS[context_key])
            domain_key = rng.choice(_LIKELY_DOMAINS[mechanism_key])
            chains.append(
                Chain(
                    reflection=reflection,
                    order=order,
                    context=parts.contexts[context_key],
                    mechanism=parts.mechanisms[mechanism_key],
                    outcome_domain=parts.domains[domain_key],
                    confidence=rng.choice((1, 2, 2, 3)),
                )
            )
        for domain_key in rng.sample(list(parts.domains), rng.choice((0, 1, 1, 2))):
            observations.append(
                OutcomeObservation(
                    reflection=reflection, domain=parts.domains[domain_key], observation="Noticed."
                )
            )
    Chain.objects.bulk_create(chains, batch_size=1000)
    OutcomeObservation.objects.bulk_create(observations, batch_size=1000)
    return reflections
