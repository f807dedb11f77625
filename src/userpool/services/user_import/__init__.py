"""User import jobs (Cognito developer guide: 'Importing users into user pools from a CSV file'):
CreateUserImportJob, StartUserImportJob, StopUserImportJob, DescribeUserImportJob and ListUserImportJobs; the
upload of a job's file to its pre-signed URL and the import of it in the background (``steps/``)."""
