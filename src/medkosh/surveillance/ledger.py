"""The per-user, per-dataset privacy-budget ledger (basic sequential composition of ε and δ)."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh import audit
from medkosh.audit.service import Actor
from medkosh.audit.types import Outcome
from medkosh.store.base import new_id, utcnow
from medkosh.store.tables.surveillance import SurveillanceBudgetRow, SurveillanceSpendRow
from medkosh.surveillance import policies
from medkosh.surveillance.types import DatasetSettings, SurveillanceEvent


@dataclass(frozen=True)
class BudgetState:
    user_id: str
    dataset_id: str
    epsilon_budget: float
    epsilon_spent: float
    delta_spent: float
    queries: int

    @property
    def epsilon_left(self) -> float:
        return max(self.epsilon_budget - self.epsilon_spent, 0.0)

    def as_dict(self) -> dict[str, object]:
        return {"user": self.user_id, "dataset_id": self.dataset_id, "epsilon_budget": self.epsilon_budget,
                "epsilon_spent": round(self.epsilon_spent, 9), "epsilon_left": round(self.epsilon_left, 9),
                "delta_spent": self.delta_spent, "queries": self.queries}


def _row(session: Session, user_id: str, dataset_id: str, *, lock: bool) -> SurveillanceBudgetRow:
    stmt = select(SurveillanceBudgetRow).where(SurveillanceBudgetRow.user_id == user_id,
                                               SurveillanceBudgetRow.dataset_id == dataset_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()  # two concurrent queries must not both spend the last ε
    row = session.execute(stmt).scalar_one_or_none()
    if row is None:
        row = SurveillanceBudgetRow(id=new_id("bud"), user_id=user_id, dataset_id=dataset_id, epsilon_spent=0.0,
                                    delta_spent=0.0, queries=0, updated_at=utcnow())
        session.add(row)
        session.flush()
        if lock and session.get_bind().dialect.name == "postgresql":
            row = session.execute(stmt).scalar_one()
    return row


def state(session: Session, settings: DatasetSettings, user_id: str) -> BudgetState:
    row = session.execute(select(SurveillanceBudgetRow).where(
        SurveillanceBudgetRow.user_id == user_id,
        SurveillanceBudgetRow.dataset_id == settings.dataset_id)).scalar_one_or_none()
    if row is None:
        return BudgetState(user_id, settings.dataset_id, settings.epsilon_budget, 0.0, 0.0, 0)
    return BudgetState(user_id, settings.dataset_id, settings.epsilon_budget, row.epsilon_spent, row.delta_spent,
                       row.queries)


def spend(session: Session, settings: DatasetSettings, actor: Actor, epsilon: float, delta: float,
          mechanism: str, query: dict[str, object], query_id: str) -> BudgetState:
    """Charge a query to the ledger, or refuse it (the refusal is audited and committed)."""
    row = _row(session, actor.id, settings.dataset_id, lock=True)
    if not policies.can_spend(settings, row.epsilon_spent, row.delta_spent, epsilon, delta):
        audit.record(session, SurveillanceEvent.QUERY_REFUSED, actor=actor, subject_type="dataset",
                     subject_id=settings.dataset_id, outcome=Outcome.DENIED,
                     details={"reason": "privacy budget exhausted", "epsilon": epsilon, "delta": delta,
                              "epsilon_spent": row.epsilon_spent, "epsilon_budget": settings.epsilon_budget,
                              "query_id": query_id, "query": query})
        # The refusal must survive the error the caller is about to see (its transaction rolls back).
        session.commit()
        policies.check_spend(settings, row.epsilon_spent, row.delta_spent, epsilon, delta)
    row.epsilon_spent += epsilon
    row.delta_spent += delta
    row.queries += 1
    row.updated_at = utcnow()
    session.add(SurveillanceSpendRow(id=new_id("spd"), budget_id=row.id, epsilon=epsilon, delta=delta,
                                     mechanism=mechanism, query=orjson.dumps(query, option=orjson.OPT_SORT_KEYS).decode(),
                                     created_at=utcnow()))
    audit.record(session, SurveillanceEvent.BUDGET_SPENT, actor=actor, subject_type="dataset",
                 subject_id=settings.dataset_id,
                 details={"epsilon": epsilon, "delta": delta, "mechanism": mechanism, "query_id": query_id,
                          "epsilon_spent": row.epsilon_spent, "epsilon_budget": settings.epsilon_budget})
    session.flush()
    return BudgetState(actor.id, settings.dataset_id, settings.epsilon_budget, row.epsilon_spent, row.delta_spent,
                       row.queries)
