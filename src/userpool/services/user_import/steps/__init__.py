"""The steps of user import jobs: the upload URL and its checks, a file's lines into users, the worker."""
