"""Threat protection (formerly advanced security): the risk configurations of a pool and its app clients, the
user event history, event feedback, and the steps every sign-in, sign-up, password change and recovery of a
pool in AUDIT or ENFORCED mode passes through: recording the event, assessing its risk, and, in ENFORCED
mode, acting on it (Cognito developer guide: 'Advanced security with threat protection').

Operation modules: ``risk_configuration`` (Set/DescribeRiskConfiguration) and ``auth_events``
(AdminListUserAuthEvents, AdminUpdateAuthEventFeedback, UpdateAuthEventFeedback). ``steps/``: ``event_log``
(recording events), ``risk_assessment`` (signals to a risk level and a decision) and ``notifications`` (the
account-takeover notice mail).
"""
