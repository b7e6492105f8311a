"""Structured interviews: traits, versioned scorecard templates, interviews, scorecards, ratings, revisions.

Seeds the ten default sales-rep traits, with behavioural questions and anchors,
and a default scorecard template that uses them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# The ten default traits (see shared/DOMAIN.md): what to ask and what each point looks like.
TRAITS = [
    (
        "coachability",
        "Coachability",
        "Takes feedback and applies it; does not defend or explain it away.",
        [
            "Tell me about the last piece of feedback from a manager that changed how you sell.",
            "What did your last manager coach you on, and what did you do differently afterwards?",
        ],
        {
            "1": "Cannot name feedback they acted on; blames the manager or the market; argues with feedback given in the interview.",
            "2": "Recalls feedback but describes no change, or changed only under pressure.",
            "3": "Gives one concrete example of feedback applied, with a visible change in behaviour.",
            "4": "Several examples; asks for feedback unprompted; applies a suggestion made during the interview.",
            "5": "Seeks coaching actively, shows measurable results from it (e.g. conversion up after changing discovery), and coaches peers in turn.",
        },
    ),
    (
        "resilience",
        "Resilience",
        "Gets back up after losing a deal and keeps prospecting after rejection.",
        [
            "Tell me about a deal you lost late. What happened in the week after?",
            "Describe your worst month against quota and how you got out of it.",
        ],
        {
            "1": "Dwells on losses, blames others; activity dropped after setbacks.",
            "2": "Recovers eventually, but only when pushed by a manager.",
            "3": "Recovers within days; describes a sensible post-mortem and kept activity up.",
            "4": "Turns losses into specific lessons and raised activity to rebuild the pipeline.",
            "5": "Consistently bounces back; rebuilt a bad quarter to finish at or above quota; rejection visibly does not slow prospecting.",
        },
    ),
    (
        "drive",
        "Drive",
        "Self-motivated and competitive; wants the next level.",
        [
            "What is the most ambitious target you set for yourself, and how did you go after it?",
            "Where do you want to be in three years, and what are you doing about it now?",
        ],
        {
            "1": "Motivated only by base pay or comfort; no goals beyond what is asked.",
            "2": "Meets targets set by others; little sign of pushing further.",
            "3": "Sets own goals and works towards them; some evidence of extra effort.",
            "4": "Regularly exceeds targets through self-started effort; clear, concrete ambitions.",
            "5": "Relentless, self-directed; stacked-ranked near the top repeatedly and is already working on the next level.",
        },
    ),
    (
        "ownership",
        "Ownership and focus",
        "Sells what we have today; no 'if only we had a better website, deck or feature'.",
        [
            "Tell me about a quarter when the product or marketing let you down. What did you do?",
            "How much of your pipeline did you generate yourself last year?",
        ],
        {
            "1": "Explains misses by the product, leads, territory or marketing.",
            "2": "Acknowledges own part but mostly points to outside causes.",
            "3": "Owns results; works around gaps with what is available.",
            "4": "Generates most of own pipeline; adapts the pitch to the product as it is.",
            "5": "Full ownership: turns product gaps into differentiated value and still closes; never waits for someone else to fix things.",
        },
    ),
    (
        "process",
        "Process discipline",
        "Follows the sales process; keeps the pipeline and CRM honest.",
        [
            "Walk me through how you run a deal from first call to signature.",
            "How did you keep your CRM up to date, and how accurate were your forecasts?",
        ],
        {
            "1": "No repeatable process; CRM treated as admin to avoid.",
            "2": "Knows the stages but skips steps under pressure; CRM patchy.",
            "3": "Follows a clear process; CRM kept current most of the time.",
            "4": "Disciplined qualification (e.g. MEDDICC or BANT) and next steps on every deal; forecasts mostly hit.",
            "5": "Process is second nature and improves it for the team; pipeline data is trusted by management.",
        },
    ),
    (
        "deal_judgment",
        "Deal judgment",
        "Knows where the customer is in the buying process before offering a discount.",
        [
            "Tell me about a time a buyer asked for a discount. What did you do?",
            "How do you decide a deal is not worth pursuing?",
        ],
        {
            "1": "Discounts to close; cannot say where the buyer was in their process.",
            "2": "Discounts after some resistance; weak on qualification.",
            "3": "Trades discounts for commitments; qualifies out poor-fit deals.",
            "4": "Maps the buying process and stakeholders; holds price by selling value.",
            "5": "Consistently reads the buying process correctly; protects margin and walks away from bad deals at the right time.",
        },
    ),
    (
        "communication",
        "Communication and listening",
        "Listens first; clear, concise and persuasive.",
        [
            "Run a five-minute discovery call with me as the buyer.",
            "Explain your last product to me as you would to a busy CFO.",
        ],
        {
            "1": "Talks over the buyer; rambles; misses what was said.",
            "2": "Pitches before understanding needs; message unclear.",
            "3": "Asks relevant questions and listens; message clear.",
            "4": "Uncovers real needs with follow-up questions; tailors a concise, persuasive message.",
            "5": "Exceptional listener; summarises the buyer's situation better than the buyer; persuasive without pressure.",
        },
    ),
    (
        "integrity",
        "Integrity",
        "Honest forecasts, keeps promises, no sandbagging.",
        [
            "Tell me about a time you had to tell your manager a big deal would slip.",
            "Have you ever been asked to bend the truth to close? What did you do?",
        ],
        {
            "1": "Overpromises to buyers or hides bad news; inconsistent stories.",
            "2": "Honest when asked, but forecasts shaded to look good or sandbagged.",
            "3": "Straight with buyers and managers; delivers bad news on time.",
            "4": "Forecasts candidly and early; turns down deals that need misrepresentation.",
            "5": "Known for candour; references confirm promises kept and forecasts trusted.",
        },
    ),
    (
        "learning",
        "Learning agility",
        "Learns product and market fast; stays current on competitors.",
        [
            "How did you get up to speed in your last role, and how long did it take?",
            "Who are our main competitors and how would you position against them?",
        ],
        {
            "1": "Slow ramp; little interest in the product or market.",
            "2": "Learns what is required, little beyond.",
            "3": "Ramped in a normal time; did homework on us before the interview.",
            "4": "Ramped fast; strong grasp of the market and competitors.",
            "5": "Learns very fast and teaches others; insights on our market that we did not have.",
        },
    ),
    (
        "collaboration",
        "Collaboration",
        "Shares what works, helps peers, and brings in engineers and product when a deal needs them.",
        [
            "Tell me about a deal you won with help from other teams.",
            "What have you taught a colleague that made them better?",
        ],
        {
            "1": "Lone wolf; hoards leads or credit.",
            "2": "Cooperates when asked; rarely shares.",
            "3": "Works well with pre-sales and peers; shares some practices.",
            "4": "Orchestrates other teams in complex deals; shares playbooks.",
            "5": "Raises the whole team: mentors, shares wins and losses openly, and is the first call for cross-team deals.",
        },
    ),
]
TEMPLATE_GROUPS = [
    ("Sales skills", ["communication", "deal_judgment", "process", "ownership"]),
    ("Character", ["coachability", "resilience", "drive", "integrity"]),
    ("Team and growth", ["learning", "collaboration"]),
]
TEMPLATE_PROMPTS = ["Key take-aways", "Concerns"]


def seed():
    """Insert the default traits and the first version of the default scorecard template."""
    now = datetime.now(UTC)
    bind = op.get_bind()
    traits = sa.table(
        "trait", sa.column("id"), sa.column("key"), sa.column("name"), sa.column("description"),
        sa.column("questions"), sa.column("anchors", sa.JSON), sa.column("retired"), sa.column("created_at"),
        sa.column("version"),
    )  # fmt: skip
    for key, name, description, questions, anchors in TRAITS:
        bind.execute(
            traits.insert().values(
                key=key, name=name, description=description, questions="\n".join(questions), anchors=anchors,
                retired=False, created_at=now, version=1,
            )
        )  # fmt: skip
    trait_ids = dict(bind.execute(sa.text("SELECT key, id FROM trait")).all())
    templates = sa.table(
        "scorecard_template", sa.column("id"), sa.column("family_id"), sa.column("version_number"),
        sa.column("name"), sa.column("prompts", sa.JSON), sa.column("is_current"), sa.column("created_at"),
    )  # fmt: skip
    bind.execute(
        templates.insert().values(
            name="Sales rep interview", version_number=1, prompts=TEMPLATE_PROMPTS, is_current=True, created_at=now
        )
    )
    template_id = bind.execute(sa.text("SELECT id FROM scorecard_template")).scalar_one()
    bind.execute(sa.text("UPDATE scorecard_template SET family_id = id"))
    items = sa.table("template_item", sa.column("template_id"), sa.column("trait_id"), sa.column("group"),
                     sa.column("position"))  # fmt: skip
    position = 0
    for group, keys in TEMPLATE_GROUPS:
        for key in keys:
            position += 1
            bind.execute(
                items.insert().values(template_id=template_id, trait_id=trait_ids[key], group=group, position=position)
            )


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "trait",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("anchors", sa.JSON(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trait")),
        sa.UniqueConstraint("key", name=op.f("uq_trait_key")),
    )
    op.create_table(
        "scorecard_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=True),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("prompts", sa.JSON(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_scorecard_template_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["scorecard_template.id"], name=op.f("fk_scorecard_template_family_id_scorecard_template")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard_template")),
        sa.UniqueConstraint("family_id", "version_number", name=op.f("uq_scorecard_template_family_id")),
    )
    with op.batch_alter_table("scorecard_template", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scorecard_template_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scorecard_template_is_current"), ["is_current"], unique=False)

    op.create_table(
        "interview",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "phone_screen",
                "behavioural",
                "role_play",
                "panel",
                "reference_check",
                name="interview_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled", "cancelled", name="interview_status", native_enum=False, create_constraint=True, length=20
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidate.id"], name=op.f("fk_interview_candidate_id_candidate"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_interview_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["opening_id"], ["opening.id"], name=op.f("fk_interview_opening_id_opening"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["template_id"], ["scorecard_template.id"], name=op.f("fk_interview_template_id_scorecard_template")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview")),
    )
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interview_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_interview_opening_id"), ["opening_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_interview_scheduled_at"), ["scheduled_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_interview_template_id"), ["template_id"], unique=False)

    op.create_table(
        "template_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("trait_id", sa.Integer(), nullable=False),
        sa.Column("group", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["scorecard_template.id"],
            name=op.f("fk_template_item_template_id_scorecard_template"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["trait_id"], ["trait.id"], name=op.f("fk_template_item_trait_id_trait")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_item")),
        sa.UniqueConstraint("template_id", "trait_id", name=op.f("uq_template_item_template_id")),
    )
    with op.batch_alter_table("template_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_template_item_template_id"), ["template_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_template_item_trait_id"), ["trait_id"], unique=False)

    op.create_table(
        "scorecard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("interviewer_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft", "submitted", name="scorecard_status", native_enum=False, create_constraint=True, length=20
            ),
            nullable=False,
        ),
        sa.Column(
            "recommendation",
            sa.Enum(
                "strong_no",
                "no",
                "yes",
                "strong_yes",
                name="recommendation",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidate.id"], name=op.f("fk_scorecard_candidate_id_candidate"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interview.id"], name=op.f("fk_scorecard_interview_id_interview"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["interviewer_id"], ["user_account.id"], name=op.f("fk_scorecard_interviewer_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"], ["scorecard_template.id"], name=op.f("fk_scorecard_template_id_scorecard_template")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard")),
        sa.UniqueConstraint("interview_id", "interviewer_id", name=op.f("uq_scorecard_interview_id")),
    )
    with op.batch_alter_table("scorecard", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scorecard_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scorecard_interview_id"), ["interview_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scorecard_interviewer_id"), ["interviewer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scorecard_status"), ["status"], unique=False)

    op.create_table(
        "rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("trait_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_rating_score_range")),
        sa.ForeignKeyConstraint(
            ["scorecard_id"], ["scorecard.id"], name=op.f("fk_rating_scorecard_id_scorecard"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["trait_id"], ["trait.id"], name=op.f("fk_rating_trait_id_trait")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating")),
        sa.UniqueConstraint("scorecard_id", "trait_id", name=op.f("uq_rating_scorecard_id")),
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_scorecard_id"), ["scorecard_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_trait_id"), ["trait_id"], unique=False)

    op.create_table(
        "scorecard_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("edited_by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["edited_by_id"],
            ["user_account.id"],
            name=op.f("fk_scorecard_revision_edited_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecard.id"],
            name=op.f("fk_scorecard_revision_scorecard_id_scorecard"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard_revision")),
    )
    with op.batch_alter_table("scorecard_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scorecard_revision_scorecard_id"), ["scorecard_id"], unique=False)

    # ### end Alembic commands ###
    seed()


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("scorecard_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorecard_revision_scorecard_id"))

    op.drop_table("scorecard_revision")
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_trait_id"))
        batch_op.drop_index(batch_op.f("ix_rating_scorecard_id"))

    op.drop_table("rating")
    with op.batch_alter_table("scorecard", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorecard_status"))
        batch_op.drop_index(batch_op.f("ix_scorecard_interviewer_id"))
        batch_op.drop_index(batch_op.f("ix_scorecard_interview_id"))
        batch_op.drop_index(batch_op.f("ix_scorecard_candidate_id"))

    op.drop_table("scorecard")
    with op.batch_alter_table("template_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_template_item_trait_id"))
        batch_op.drop_index(batch_op.f("ix_template_item_template_id"))

    op.drop_table("template_item")
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_template_id"))
        batch_op.drop_index(batch_op.f("ix_interview_scheduled_at"))
        batch_op.drop_index(batch_op.f("ix_interview_opening_id"))
        batch_op.drop_index(batch_op.f("ix_interview_candidate_id"))

    op.drop_table("interview")
    with op.batch_alter_table("scorecard_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorecard_template_is_current"))
        batch_op.drop_index(batch_op.f("ix_scorecard_template_family_id"))

    op.drop_table("scorecard_template")
    op.drop_table("trait")
    # ### end Alembic commands ###
