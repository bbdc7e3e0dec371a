"""The workflow state machines, table-driven: each case is a sequence of actions on one record and
either the state it ends in or the code of the refusal at its last action."""
import datetime as dt

import pytest

from recordsys.workflow import rules as r
from recordsys.workflow.rules import Actor, WorkflowError

AGENCY, OTHER_AGENCY = "000.00.00.H41", "000.00.00.H42"  # UBND tỉnh Khánh Hòa, UBND tỉnh Ninh Thuận
TODAY = dt.date(2026, 11, 30)

CHU_TICH = Actor("nvan", AGENCY, "LĐ", frozenset({r.LEADER}))  # Nguyễn Văn An, Chủ tịch
PHO_CHU_TICH = Actor("ltmai", AGENCY, "LĐ", frozenset({r.LEADER}))  # Lê Thị Mai, Phó Chủ tịch
CHANH_VP = Actor("dtgiang", AGENCY, "VP", frozenset({"office_chief"}))  # Đỗ Trường Giang, Chánh Văn phòng
TRUONG_PHONG = Actor("lvcuong", AGENCY, "TH", frozenset({"head_of_unit"}))  # Lê Văn Cường, Trưởng phòng Tổng hợp
TRUONG_PHONG_KT = Actor("hvem", AGENCY, "KT", frozenset({"head_of_unit"}))  # Trưởng phòng Kinh tế
CHUYEN_VIEN = Actor("pvdung", AGENCY, "TH")  # Phạm Văn Dũng, chuyên viên Phòng Tổng hợp
CHUYEN_VIEN_2 = Actor("hthoa", AGENCY, "TH")  # Hồ Thị Hoa, cùng phòng
CHUYEN_VIEN_KT = Actor("ntlan", AGENCY, "KT")  # Nguyễn Thị Lan, Phòng Kinh tế
VAN_THU = Actor("ttbinh", AGENCY, "VP", frozenset({r.CLERK}))  # Trần Thị Bình, văn thư
NGOAI = Actor("tvhung", OTHER_AGENCY, "LĐ", frozenset({r.LEADER, r.CLERK, "head_of_unit", "office_chief"}))


def run(record, steps):
    for step in steps:
        record = step(record)
    return record


def check(record, steps, expected):
    """``expected`` is a final state, or the code of the refusal the last step must raise."""
    if expected in STATES:
        assert run(record, steps).state == expected
        return
    with pytest.raises(WorkflowError) as info:
        run(record, steps)
    assert info.value.code == expected
    assert info.value.vi and info.value.en and info.value.vi != info.value.en
    assert str(info.value) == info.value.en  # English for logs; people read localized(lang)


STATES = {*r.INCOMING_ACTIONS, *r.OUTGOING_ACTIONS, *r.TASK_ACTIONS}

# (a) incoming documents --------------------------------------------------------------------
DEADLINE = dt.date(2026, 12, 15)


def assign(by=CHU_TICH, handler=CHUYEN_VIEN, coordinators=(CHUYEN_VIEN_KT.user,), deadline=DEADLINE):
    return lambda d: r.assign(d, by, handler, coordinators=coordinators, for_information=(CHANH_VP.user,),
                              deadline=deadline, today=TODAY)


def start(by=CHUYEN_VIEN):
    return lambda d: r.start(d, by)


def opinion(by, text="Đề nghị Phòng Kinh tế rà soát số liệu đất đai phường Lộc Thọ."):
    return lambda d: r.add_opinion(d, by, text)


def consult(by=CHUYEN_VIEN, to=TRUONG_PHONG_KT, question="Xin ý kiến về diện tích đất giao."):
    return lambda d: r.request_consultation(d, by, to, question)


def answer(by=TRUONG_PHONG_KT, number=1, text="Thống nhất diện tích 120 m²."):
    return lambda d: r.answer_consultation(d, by, number, text)


def forward(by=CHUYEN_VIEN, to=CHUYEN_VIEN_2):
    return lambda d: r.forward_incoming(d, by, to)


def complete(by=CHUYEN_VIEN, result="Đã tham mưu Quyết định số 15/QĐ-UBND ngày 30/11/2026."):
    return lambda d: r.complete(d, by, result, TODAY)


INCOMING_CASES = {
    "registered then assigned": ([assign()], "assigned"),
    "whole processing": ([assign(), start(), opinion(CHUYEN_VIEN_KT), consult(), answer(), complete()], "done"),
    "reassigned before starting": ([assign(), assign(handler=CHUYEN_VIEN_KT, coordinators=())], "assigned"),
    "forwarded within the unit, then the new handler completes":
        ([assign(), start(), forward(), complete(by=CHUYEN_VIEN_2)], "done"),
    "a leader gives an opinion": ([assign(), opinion(PHO_CHU_TICH)], "assigned"),
    # refusals
    "only a leader assigns": ([assign(by=TRUONG_PHONG)], "not_leader"),
    "another agency's leader": ([assign(by=NGOAI)], "other_agency"),
    "handler from another agency": ([assign(handler=NGOAI)], "handler_other_agency"),
    "handler also coordinator": ([assign(coordinators=(CHUYEN_VIEN.user,))], "handler_is_coordinator"),
    "deadline in the past": ([assign(deadline=dt.date(2026, 11, 29))], "deadline_past"),
    "starting before assignment": ([start()], "start_when_registered"),
    "someone else starts": ([assign(), start(by=CHUYEN_VIEN_2)], "not_main_handler"),
    "opinion by an outsider of the case": ([assign(), opinion(CHUYEN_VIEN_2)], "not_involved"),
    "empty opinion": ([assign(), opinion(CHUYEN_VIEN_KT, "  ")], "empty_opinion"),
    "consulting before starting": ([assign(), consult()], "consult_when_assigned"),
    "coordinator cannot consult": ([assign(), start(), consult(by=CHUYEN_VIEN_KT)], "not_main_handler"),
    "consulting oneself": ([assign(), start(), consult(to=CHUYEN_VIEN)], "consult_self"),
    "consulting another agency": ([assign(), start(), consult(to=NGOAI)], "consult_other_agency"),
    "consulting two colleagues, one answers": ([assign(), start(), consult(), consult(to=CHUYEN_VIEN_2), answer()],
                                               "processing"),
    "complete while the second is pending": ([assign(), start(), consult(), consult(to=CHUYEN_VIEN_2), answer(),
                                              complete()], "consultation_open"),
    "forward before starting": ([assign(), forward()], "assigned"),
    "answer by someone else": ([assign(), start(), consult(), answer(by=CHUYEN_VIEN_2)], "not_consulted"),
    "answer twice": ([assign(), start(), consult(), answer(), answer()], "already_answered"),
    "answer an unknown request": ([assign(), start(), answer(number=4)], "no_consultation"),
    "forward outside the unit": ([assign(), start(), forward(to=CHUYEN_VIEN_KT)], "forward_outside_unit"),
    "forward to oneself": ([assign(), start(), forward(to=CHUYEN_VIEN)], "forward_self"),
    "old handler after forwarding": ([assign(), start(), forward(), complete()], "not_main_handler"),
    "complete with an open consultation": ([assign(), start(), consult(), complete()], "consultation_open"),
    "complete without result": ([assign(), start(), complete(result="")], "empty_result"),
    "complete before starting": ([assign(), complete()], "complete_when_assigned"),
    "acting on a done document": ([assign(), start(), complete(), opinion(CHUYEN_VIEN)], "opinion_when_done"),
    "another agency acts on it": ([assign(), start(), opinion(NGOAI)], "other_agency"),
}


@pytest.mark.parametrize("steps, expected", INCOMING_CASES.values(), ids=INCOMING_CASES.keys())
def test_incoming(steps, expected):
    check(r.IncomingDocument("đến-2026-0412", AGENCY), steps, expected)


def test_incoming_records_who_did_what():
    doc = run(r.IncomingDocument("đến-2026-0412", AGENCY),
              [assign(), start(), opinion(CHUYEN_VIEN_KT), consult(), answer(), forward(), complete(by=CHUYEN_VIEN_2)])
    assert doc.main_handler == CHUYEN_VIEN_2.user and doc.forwards == ((CHUYEN_VIEN.user, CHUYEN_VIEN_2.user),)
    assert doc.coordinators == (CHUYEN_VIEN_KT.user,) and doc.for_information == (CHANH_VP.user,)
    assert doc.consultations[0].answer == "Thống nhất diện tích 120 m²." and doc.completed_on == TODAY
    assert doc.opinions == ((CHUYEN_VIEN_KT.user, "Đề nghị Phòng Kinh tế rà soát số liệu đất đai phường Lộc Thọ."),)


def test_refusal_sentence_names_the_state_and_what_is_allowed():
    with pytest.raises(WorkflowError) as info:
        r.complete(r.IncomingDocument("x", AGENCY), CHUYEN_VIEN, "xong", TODAY)
    assert info.value.en == "Cannot complete an incoming document that is registered (allowed: assign)."
    assert info.value.vi == "Không thể kết thúc xử lý văn bản đến đã vào sổ (được phép: giao xử lý)."


# (b) outgoing drafts -------------------------------------------------------------------------
CHAIN = r.ApprovalChain((
    r.ApprovalStep("head_of_unit", "trưởng phòng", "the head of unit", same_unit=True),
    r.ApprovalStep("office_chief", "chánh văn phòng", "the chief of office"),
    r.ApprovalStep(r.LEADER, "lãnh đạo", "a leader"),
))
V1, V2 = "sha256:1f0c…a1", "sha256:77e2…b9"


def draft(chain=CHAIN):
    return r.OutgoingDraft("dự-thảo-88", AGENCY, CHUYEN_VIEN.user, CHUYEN_VIEN.unit, chain, V1)


def submit(by=CHUYEN_VIEN, content=V1):
    return lambda d: r.submit(d, by, content)


def approve(by, content=V1):
    return lambda d: r.approve(d, by, content)


def give_back(by, comments="Sửa căn cứ pháp lý: dẫn Nghị định 30/2020/NĐ-CP."):
    return lambda d: r.return_draft(d, by, comments)


def pass_on(by, to):
    return lambda d: r.forward_draft(d, by, to)


def sign(by=CHU_TICH, content=V1):
    return lambda d: r.sign_draft(d, by, content)


def issue(by=VAN_THU, number="15/QĐ-UBND"):
    return lambda d: r.issue(d, by, number, TODAY)


def edit(by=CHUYEN_VIEN, content=V2):
    return lambda d: r.edit_draft(d, by, content)


APPROVED = [submit(), approve(TRUONG_PHONG), approve(CHANH_VP), approve(CHU_TICH)]
OUTGOING_CASES = {
    "submitted": ([submit()], "submitted"),
    "first step approves: still submitted": ([submit(), approve(TRUONG_PHONG)], "submitted"),
    "whole chain": (APPROVED, "approved"),
    "signed": ([*APPROVED, sign()], "signed"),
    "issued": ([*APPROVED, sign(), issue()], "issued"),
    "another leader signs": ([*APPROVED, sign(by=PHO_CHU_TICH)], "signed"),
    "returned with comments, edited, resubmitted":
        ([submit(), approve(TRUONG_PHONG), give_back(CHANH_VP), edit(), submit(content=V2),
          approve(TRUONG_PHONG, V2), approve(CHANH_VP, V2), approve(CHU_TICH, V2), sign(content=V2)], "signed"),
    "forwarded to the vice-chairman who approves":
        ([submit(), approve(TRUONG_PHONG), approve(CHANH_VP), pass_on(CHU_TICH, PHO_CHU_TICH),
          approve(PHO_CHU_TICH)], "approved"),
    "the signer returns an approved draft": ([*APPROVED, give_back(CHU_TICH)], "draft"),
    # refusals
    "issuing an unsigned document": ([*APPROVED, issue()], "issue_unsigned"),
    "issuing a draft": ([issue()], "issue_unsigned"),
    "approving twice": ([*APPROVED, approve(CHU_TICH)], "already_approved"),
    "one person approves two steps":
        ([submit(), approve(TRUONG_PHONG), pass_on(CHANH_VP, TRUONG_PHONG), approve(TRUONG_PHONG)],
         "approved_twice"),
    "signing content changed after approval": ([*APPROVED, sign(content=V2)], "content_changed_after_approval"),
    "approving content changed since submission": ([submit(), approve(TRUONG_PHONG, V2)], "content_changed"),
    "signing before approval": ([submit(), approve(TRUONG_PHONG), sign()], "sign_unapproved"),
    "another agency approves": ([submit(), approve(NGOAI)], "other_agency"),
    "another agency issues": ([*APPROVED, sign(), issue(by=NGOAI)], "other_agency"),
    "another agency signs": ([*APPROVED, sign(by=NGOAI)], "other_agency"),
    "skipping a step": ([submit(), approve(CHANH_VP)], "not_current_approver"),
    "head of another unit": ([submit(), approve(TRUONG_PHONG_KT)], "not_current_approver"),
    "after forwarding only the delegate decides":
        ([submit(), approve(TRUONG_PHONG), approve(CHANH_VP), pass_on(CHU_TICH, PHO_CHU_TICH),
          approve(CHU_TICH)], "not_current_approver"),
    "forward outside the agency": ([submit(), pass_on(TRUONG_PHONG, NGOAI)], "forward_other_agency"),
    "return without comments": ([submit(), give_back(TRUONG_PHONG, " ")], "empty_comments"),
    "someone else submits": ([submit(by=CHUYEN_VIEN_2)], "not_drafter"),
    "editing while submitted": ([submit(), edit()], "edit_when_submitted"),
    "signing by someone not competent": ([*APPROVED, sign(by=CHANH_VP)], "not_signer"),
    "issuing by someone not a clerk": ([*APPROVED, sign(), issue(by=CHANH_VP)], "not_clerk"),
    "issuing twice": ([*APPROVED, sign(), issue(), issue()], "issue_when_issued"),
    "signing twice": ([*APPROVED, sign(), sign()], "sign_when_signed"),
    "returning a signed document": ([*APPROVED, sign(), give_back(CHU_TICH)], "return_when_signed"),
}


@pytest.mark.parametrize("steps, expected", OUTGOING_CASES.values(), ids=OUTGOING_CASES.keys())
def test_outgoing(steps, expected):
    check(draft(), steps, expected)


def test_outgoing_keeps_the_approved_and_signed_hash():
    done = run(draft(), [*APPROVED, sign(), issue()])
    assert done.approved_hash == done.signed_hash == V1
    assert [(a.step, a.user) for a in done.approvals] == [(0, "lvcuong"), (1, "dtgiang"), (2, "nvan")]
    assert (done.signed_by, done.number_and_symbol, done.issued_on) == ("nvan", "15/QĐ-UBND", TODAY)
    returned = run(draft(), [submit(), approve(TRUONG_PHONG), give_back(CHANH_VP)])
    assert returned.approvals == () and returned.comments == (
        ("dtgiang", "Sửa căn cứ pháp lý: dẫn Nghị định 30/2020/NĐ-CP."),)


def test_a_one_step_chain_of_a_small_agency():
    chain = r.ApprovalChain((r.ApprovalStep(r.LEADER, "chủ tịch", "the chairman"),))
    assert run(draft(chain), [submit(), approve(CHU_TICH), sign()]).state == "signed"
    with pytest.raises(ValueError):
        r.ApprovalChain(())


# (c) tasks ---------------------------------------------------------------------------------
TASK_DEADLINE = dt.date(2026, 12, 10)


def task():
    return r.Task("việc-31", AGENCY, TRUONG_PHONG.user, CHUYEN_VIEN.user, TASK_DEADLINE)


def t_start(by=CHUYEN_VIEN):
    return lambda t: r.start_task(t, by)


def t_report(by=CHUYEN_VIEN, text="Đã hoàn thành dự thảo báo cáo tổng kết năm 2026."):
    return lambda t: r.report_task(t, by, text)


def t_approve(by=TRUONG_PHONG, today=TODAY):
    return lambda t: r.approve_task(t, by, today)


def t_return(by=TRUONG_PHONG, comments="Bổ sung số liệu quý IV."):
    return lambda t: r.return_task(t, by, comments)


def t_extend(by=CHUYEN_VIEN, until=dt.date(2026, 12, 20), reason="Chờ số liệu của Cục Thống kê."):
    return lambda t: r.request_extension(t, by, until, reason, TODAY)


def t_decide(by=TRUONG_PHONG, grant=True):
    return lambda t: r.decide_extension(t, by, grant)


TASK_CASES = {
    "started": ([t_start()], "in_progress"),
    "reported": ([t_start(), t_report()], "reported"),
    "approved": ([t_start(), t_report(), t_approve()], "approved"),
    "returned": ([t_start(), t_report(), t_return()], "returned"),
    "returned, reported again, approved": ([t_start(), t_report(), t_return(), t_report(), t_approve()], "approved"),
    "returned then resumed": ([t_start(), t_report(), t_return(), t_start()], "in_progress"),
    "extension requested and granted": ([t_start(), t_extend(), t_decide()], "in_progress"),
    # refusals
    "reporting before starting": ([t_report()], "report_when_assigned"),
    "approving before a report": ([t_start(), t_approve()], "approve_when_in_progress"),
    "someone else reports": ([t_start(), t_report(by=CHUYEN_VIEN_2)], "not_assignee"),
    "the assignee approves own work": ([t_start(), t_report(), t_approve(by=CHUYEN_VIEN)], "not_assigner"),
    "empty report": ([t_start(), t_report(text="")], "empty_report"),
    "returning without comments": ([t_start(), t_report(), t_return(comments="")], "empty_comments"),
    "acting on an approved task": ([t_start(), t_report(), t_approve(), t_report()], "report_when_approved"),
    "two pending extension requests": ([t_extend(), t_extend(until=dt.date(2026, 12, 30))], "extension_pending"),
    "extension not later": ([t_extend(until=TASK_DEADLINE)], "extension_not_later"),
    "extension without reason": ([t_extend(reason=" ")], "empty_reason"),
    "deciding with nothing pending": ([t_decide()], "no_extension_pending"),
    "the assignee grants own extension": ([t_extend(), t_decide(by=CHUYEN_VIEN)], "not_assigner"),
    "another agency's task": ([t_start(by=NGOAI)], "other_agency"),
}


@pytest.mark.parametrize("steps, expected", TASK_CASES.values(), ids=TASK_CASES.keys())
def test_task(steps, expected):
    check(task(), steps, expected)


@pytest.mark.parametrize("grant, deadline", [(True, dt.date(2026, 12, 20)), (False, TASK_DEADLINE)])
def test_extension_decision_moves_the_deadline_only_when_granted(grant, deadline):
    decided = run(task(), [t_extend(), t_decide(grant=grant)])
    assert decided.deadline == deadline and decided.pending_extension is None
    assert decided.extensions[0].granted is grant
    again = run(decided, [t_extend(until=dt.date(2027, 1, 5))])  # a new request after the decision
    assert again.pending_extension.requested == dt.date(2027, 1, 5)


@pytest.mark.parametrize("deadline, finished_on, today, days", [
    (dt.date(2026, 12, 10), None, dt.date(2026, 12, 9), 0),
    (dt.date(2026, 12, 10), None, dt.date(2026, 12, 10), 0),  # due today: not yet overdue
    (dt.date(2026, 12, 10), None, dt.date(2026, 12, 11), 1),
    (dt.date(2026, 12, 10), None, dt.date(2027, 1, 4), 25),  # across the new year
    (dt.date(2026, 12, 10), dt.date(2026, 12, 13), dt.date(2027, 3, 1), 3),  # finished late: stays 3
    (dt.date(2026, 12, 10), dt.date(2026, 12, 1), dt.date(2027, 3, 1), 0),
    (None, None, dt.date(2027, 3, 1), 0),
])
def test_days_overdue(deadline, finished_on, today, days):
    assert r.days_overdue(deadline, finished_on, today) == days


def test_overdue_of_tasks_and_incoming_documents():
    open_task = run(task(), [t_start()])
    assert r.task_overdue(open_task, dt.date(2026, 12, 12)) == 2
    late = run(task(), [t_start(), t_report(), t_approve(today=dt.date(2026, 12, 11))])
    assert r.task_overdue(late, dt.date(2027, 2, 1)) == 1
    extended = run(task(), [t_start(), t_extend(), t_decide()])
    assert r.task_overdue(extended, dt.date(2026, 12, 12)) == 0
    doc = run(r.IncomingDocument("đến-1", AGENCY), [assign(), start()])
    assert r.incoming_overdue(doc, dt.date(2026, 12, 16)) == 1
    assert r.incoming_overdue(run(doc, [complete()]), dt.date(2026, 12, 16)) == 0
