"""CreateUserImportJob, DescribeUserImportJob, ListUserImportJobs, StartUserImportJob and StopUserImportJob through
boto3: the job's wire shape, its statuses from Created to its end, paging, and each error."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from tests.conftest import Server, make_settings, running_server
from tests.support.pools import error_of
from tests.support.user_import import (
    ROLE_ARN,
    create_job,
    csv_file,
    header,
    import_pool,
    run_import,
    upload,
    user_row,
    wait_until_finished,
)
from userpool.clock import FixedClock


def test_create_user_import_job__answers_a_created_job(idp: Any) -> None:
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id, "Customer import")
    assert job["JobName"] == "Customer import"
    assert job["JobId"].startswith("import-") and len(job["JobId"]) == len("import-") + 10
    assert job["UserPoolId"] == pool_id
    assert job["Status"] == "Created"
    assert job["CloudWatchLogsRoleArn"] == ROLE_ARN
    assert (job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"]) == (0, 0, 0)
    assert isinstance(job["CreationDate"], datetime.datetime)
    assert job["PreSignedUrl"].startswith("http://localhost:9229/user-import/" + job["JobId"] + "?expires=")
    assert "StartDate" not in job and "CompletionDate" not in job and "CompletionMessage" not in job
    assert "PasswordHashingAlgorithm" not in job


def test_create_user_import_job__keeps_the_password_hashing_algorithm(idp: Any) -> None:
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id, PasswordHashingAlgorithm="PBKDF2_SHA256")
    assert job["PasswordHashingAlgorithm"] == "PBKDF2_SHA256"
    described = idp.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert described["PasswordHashingAlgorithm"] == "PBKDF2_SHA256"


def test_create_user_import_job__unknown_pool(idp: Any) -> None:
    code, message = error_of(lambda: create_job(idp, "eu-west-1_nothere00"))
    assert (code, message) == ("ResourceNotFoundException", "User pool eu-west-1_nothere00 does not exist.")


def test_create_user_import_job__role_arn_must_be_an_arn(idp: Any) -> None:
    pool_id = import_pool(idp)
    code, message = error_of(
        lambda: idp.create_user_import_job(UserPoolId=pool_id, JobName="j", CloudWatchLogsRoleArn="x" * 24)
    )
    assert code == "InvalidParameterException"
    assert "cloudWatchLogsRoleArn" in message


def test_describe_user_import_job__unknown_job(idp: Any) -> None:
    pool_id = import_pool(idp)
    code, message = error_of(lambda: idp.describe_user_import_job(UserPoolId=pool_id, JobId="import-nothere000"))
    assert (code, message) == ("ResourceNotFoundException", "Import job import-nothere000 does not exist.")


def test_describe_user_import_job__of_another_pool(idp: Any) -> None:
    pool_id, other = import_pool(idp), import_pool(idp)
    job = create_job(idp, pool_id)
    code, _ = error_of(lambda: idp.describe_user_import_job(UserPoolId=other, JobId=job["JobId"]))
    assert code == "ResourceNotFoundException"


def test_describe_user_import_job__answers_the_end_of_an_import(app_server: Server, idp: Any) -> None:
    pool_id = import_pool(idp)
    body = csv_file(header(idp, pool_id), [user_row("ann"), user_row("ben")])
    created, done = run_import(idp, app_server.test_client, pool_id, body)
    assert done["Status"] == "Succeeded"
    assert done["CompletionMessage"] == "Import Job Completed Successfully."
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (2, 0, 0)
    assert created["CreationDate"] <= done["StartDate"] <= done["CompletionDate"]
    assert done["PreSignedUrl"] == created["PreSignedUrl"]


def test_list_user_import_jobs__newest_first_a_page_at_a_time(idp: Any) -> None:
    pool_id = import_pool(idp)
    made = [create_job(idp, pool_id, f"job{i}")["JobId"] for i in range(5)]
    create_job(idp, import_pool(idp), "elsewhere")
    first = idp.list_user_import_jobs(UserPoolId=pool_id, MaxResults=2)
    second = idp.list_user_import_jobs(UserPoolId=pool_id, MaxResults=2, PaginationToken=first["PaginationToken"])
    third = idp.list_user_import_jobs(UserPoolId=pool_id, MaxResults=2, PaginationToken=second["PaginationToken"])
    listed = [j["JobId"] for page in (first, second, third) for j in page["UserImportJobs"]]
    assert listed == list(reversed(made))
    assert "PaginationToken" not in third


def test_list_user_import_jobs__token_of_another_pool(idp: Any) -> None:
    pool_id, other = import_pool(idp), import_pool(idp)
    for pool in (pool_id, other):
        create_job(idp, pool, "a")
        create_job(idp, pool, "b")
    token = idp.list_user_import_jobs(UserPoolId=pool_id, MaxResults=1)["PaginationToken"]
    code, message = error_of(lambda: idp.list_user_import_jobs(UserPoolId=other, MaxResults=1, PaginationToken=token))
    assert (code, message) == ("InvalidParameterException", "Invalid pagination token.")


def test_list_user_import_jobs__max_results_is_required(app_server: Server, idp: Any) -> None:
    pool_id = import_pool(idp)
    unchecked = app_server.client(parameter_validation=False)
    code, message = error_of(lambda: unchecked.list_user_import_jobs(UserPoolId=pool_id))
    assert code == "InvalidParameterException"
    assert "maxResults" in message


def test_start_user_import_job__without_a_file(idp: Any) -> None:
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    code, message = error_of(lambda: idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"]))
    assert (code, message) == ("PreconditionNotMetException", "The CSV file of the import job has not been uploaded.")


def test_start_user_import_job__pool_without_auto_verified_attributes(app_server: Server, idp: Any) -> None:
    pool_id = str(idp.create_user_pool(PoolName="unverified")["UserPool"]["Id"])
    job = create_job(idp, pool_id)
    body = csv_file(header(idp, pool_id), [user_row("ann")])
    assert upload(app_server.test_client, job["PreSignedUrl"], body).status_code == 200
    code, message = error_of(lambda: idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"]))
    assert code == "PreconditionNotMetException"
    assert "no auto-verified attributes" in message


def test_start_user_import_job__twice(app_server: Server, idp: Any) -> None:
    pool_id = import_pool(idp)
    job, done = run_import(idp, app_server.test_client, pool_id, csv_file(header(idp, pool_id), [user_row("a")]))
    code, message = error_of(lambda: idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"]))
    assert (code, message) == (
        "PreconditionNotMetException",
        "The import job is Succeeded; only a Created job can be started.",
    )
    assert done["Status"] == "Succeeded"


def test_start_user_import_job__answers_pending(app_server: Server, idp: Any) -> None:
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    assert upload(app_server.test_client, job["PreSignedUrl"], csv_file(header(idp, pool_id), [])).status_code == 200
    started = idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    # The worker may already have taken it: Pending is the answer, InProgress or later what Describe says next.
    assert started["Status"] == "Pending"
    assert "StartDate" in started
    done = wait_until_finished(idp, pool_id, job["JobId"])
    assert (done["Status"], done["ImportedUsers"]) == ("Succeeded", 0)


def test_stop_user_import_job__of_a_created_job(idp: Any) -> None:
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    code, message = error_of(lambda: idp.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"]))
    assert (code, message) == ("PreconditionNotMetException", "The import job is Created; it is not running.")


def test_stop_user_import_job__of_a_finished_job(app_server: Server, idp: Any) -> None:
    pool_id = import_pool(idp)
    job, _ = run_import(idp, app_server.test_client, pool_id, csv_file(header(idp, pool_id), [user_row("a")]))
    code, _ = error_of(lambda: idp.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"]))
    assert code == "PreconditionNotMetException"


def test_stop_user_import_job__of_a_pending_job(tmp_path: Path, database_url: str) -> None:
    # A server whose worker never runs: the job stays Pending until stopped.
    with running_server(make_settings(tmp_path / "data", database_url)) as server:
        server.runtime.imports.stop()
        idp = server.client()
        pool_id = import_pool(idp)
        job = create_job(idp, pool_id)
        body = csv_file(header(idp, pool_id), [user_row("a")])
        assert upload(server.test_client, job["PreSignedUrl"], body).status_code == 200
        idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
        stopped = idp.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
        assert stopped["Status"] == "Stopped"
        assert stopped["CompletionMessage"] == "The Import Job was stopped by the developer."
        assert "CompletionDate" in stopped
        code, _ = error_of(lambda: idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"]))
        assert code == "PreconditionNotMetException"
        assert idp.list_users(UserPoolId=pool_id)["Users"] == []


def test_describe_user_import_job__expired_after_a_day_unstarted(tmp_path: Path, database_url: str) -> None:
    clock = FixedClock(1_800_000_000.0)
    with running_server(make_settings(tmp_path / "data", database_url, dev=True), clock) as server:
        idp = server.client()
        pool_id = import_pool(idp)
        job = create_job(idp, pool_id)
        clock.advance(86_400)
        described = idp.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
        assert described["Status"] == "Expired"
        code, _ = error_of(lambda: idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"]))
        assert code == "PreconditionNotMetException"


def test_update_user_pool__refused_while_an_import_job_runs(tmp_path: Path, database_url: str) -> None:
    with running_server(make_settings(tmp_path / "data", database_url)) as server:
        server.runtime.imports.stop()  # the job stays Pending
        idp = server.client()
        pool_id = import_pool(idp)
        job = create_job(idp, pool_id)
        assert upload(server.test_client, job["PreSignedUrl"], csv_file(header(idp, pool_id), [])).status_code == 200
        idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
        running = ("UserImportInProgressException", "A user import job is in progress for the user pool.")
        assert error_of(lambda: idp.update_user_pool(UserPoolId=pool_id, AutoVerifiedAttributes=["email"])) == running
        custom = [{"Name": "team", "AttributeDataType": "String"}]
        assert error_of(lambda: idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=custom)) == running
        assert error_of(lambda: idp.delete_user_pool(UserPoolId=pool_id)) == running
        idp.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
        idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=custom)
        idp.delete_user_pool(UserPoolId=pool_id)
