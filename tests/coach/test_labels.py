"""Label behaviour on hand-written messages (none copied from the dev set)."""

from inroad.coach import review


def test_job_ask() -> None:
    text = "Hi Ola, I'm a nurse moving to Leeds in May. Could you pass my CV to your ward manager?"
    assert review(text, channel="dm").labels["job_ask"]


def test_recruiter_offering_a_role_is_not_a_job_ask() -> None:
    text = (
        "Hi Tomás, I'm hiring a backend engineer at Quayside and your Go experience looks like "
        "a strong match. Would you like the details?"
    )
    assert not review(text, channel="inmail").labels["job_ask"]


def test_university_programme_is_a_sales_pitch() -> None:
    text = (
        "Dear Ms. Park, our online MSc in Supply Chain Management is now accepting applications "
        "for September, with a scholarship for working professionals."
    )
    assert review(text, channel="inmail").labels["sales_pitch"]


def test_romantic_compliment() -> None:
    text = "Hey Dana, you're gorgeous in your new profile photo. Let me take you out sometime?"
    assert review(text, channel="dm").labels["romantic"]


def test_professional_admiration_is_not_romantic() -> None:
    text = "Hi Lee, I loved your talk on zero-downtime migrations. Could I ask one follow-up?"
    assert not review(text, channel="dm").labels["romantic"]


def test_invite_note_over_300_chars_is_lengthy() -> None:
    text = "Hi Rae, " + "I enjoyed your workshop on clinical audits and want to learn more. " * 5
    assert len(text) > 300
    assert review(text, channel="invite_note").labels["lengthy"]
    assert not review("Hi Rae, great workshop!", channel="invite_note").labels["lengthy"]


def test_question_is_a_call_to_action() -> None:
    assert review("Are you free for a 15-minute call on Thursday?", channel="dm").labels[
        "call_to_action"
    ]
    assert not review("Congrats on the promotion, well deserved.", channel="dm").labels[
        "call_to_action"
    ]


def test_shared_school_is_shared_context() -> None:
    text = "Hi Kofi, fellow Leeds Beckett alum here! Would love to hear how you got into UX."
    assert review(text, channel="invite_note").labels["shared_context"]


def test_labels_have_exactly_six_keys() -> None:
    labels = review("", channel="dm").labels
    assert set(labels) == {
        "job_ask", "sales_pitch", "romantic", "lengthy", "call_to_action", "shared_context"
    }
