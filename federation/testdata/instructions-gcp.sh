#!/usr/bin/env bash
# Read the pull dataset new_project from outside AWS.
# Reader:   Google Cloud service account 112233445566778899001 (reader@analysis-prod.iam.gserviceaccount.com)
# Role:     arn:aws:iam::123456789012:role/federated-reader/read_new_project-95447771
# Audience: https://mojap-exports/read_new_project-95447771
# Bucket:   s3://mojap-new-project/ (eu-west-2)
set -euo pipefail

# 1. Get an ID token for the audience, as the service account.
#    On Compute Engine, GKE or Cloud Run running as the service account:
TOKEN=$(curl -sSf -H 'Metadata-Flavor: Google' \
  'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/identity?audience=https://mojap-exports/read_new_project-95447771&format=full')
#    Or anywhere gcloud may impersonate the service account (this needs
#    roles/iam.serviceAccountOpenIdTokenCreator on it):
#    TOKEN=$(gcloud auth print-identity-token --impersonate-service-account=reader@analysis-prod.iam.gserviceaccount.com --audiences=https://mojap-exports/read_new_project-95447771)

# 2. Exchange the token for AWS credentials, valid for an hour.
export AWS_DEFAULT_REGION=eu-west-2
read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN < <(
  aws sts assume-role-with-web-identity \
    --role-arn arn:aws:iam::123456789012:role/federated-reader/read_new_project-95447771 \
    --role-session-name gcp-reader \
    --web-identity-token "$TOKEN" \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
#    (A program may instead write the token to a file and set AWS_ROLE_ARN
#    and AWS_WEB_IDENTITY_TOKEN_FILE: AWS SDKs then assume the role themselves.)

# 3. Read: list the files, then copy what you need with aws s3 cp.
aws s3 ls s3://mojap-new-project/
