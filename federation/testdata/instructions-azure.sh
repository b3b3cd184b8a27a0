#!/usr/bin/env bash
# Read the pull dataset new_project from outside AWS.
# Reader:   Azure principal 6e8b1f4a-2f0b-4c39-9d36-5f1a7c2e8b90 in tenant 3fa85f64-5717-4562-b3fc-2c963f66afa6, tokens for application 0f1e2d3c-4b5a-4968-8776-655443322110
# Role:     arn:aws:iam::123456789012:role/federated-reader/read_new_project-2d75895b
# Audience: 0f1e2d3c-4b5a-4968-8776-655443322110
# Bucket:   s3://mojap-new-project/ (eu-west-2)
set -euo pipefail

# Once, in the reader's app registration: give it the Application ID URI
# that tokens are asked for, and make Entra issue v2 tokens for it
# ("accessTokenAcceptedVersion": 2 in its manifest), the only ones AWS trusts.
#    az ad app update --id 0f1e2d3c-4b5a-4968-8776-655443322110 --identifier-uris api://0f1e2d3c-4b5a-4968-8776-655443322110
#    az rest --method PATCH \
#      --uri "https://graph.microsoft.com/v1.0/applications(appId='0f1e2d3c-4b5a-4968-8776-655443322110')" \
#      --body '{"api":{"requestedAccessTokenVersion":2}}'

# 1. Get an access token for the application, as the managed identity or
#    service principal 6e8b1f4a-2f0b-4c39-9d36-5f1a7c2e8b90.
#    On an Azure VM or scale set with the managed identity (needs jq):
TOKEN=$(curl -sSf -H 'Metadata: true' \
  'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://0f1e2d3c-4b5a-4968-8776-655443322110' | jq -r .access_token)
#    Or wherever Azure CLI is signed in as it (az login --identity, or
#    az login --service-principal):
#    TOKEN=$(az account get-access-token --resource api://0f1e2d3c-4b5a-4968-8776-655443322110 --query accessToken -o tsv)

# 2. Exchange the token for AWS credentials, valid for an hour.
export AWS_DEFAULT_REGION=eu-west-2
read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN < <(
  aws sts assume-role-with-web-identity \
    --role-arn arn:aws:iam::123456789012:role/federated-reader/read_new_project-2d75895b \
    --role-session-name azure-reader \
    --web-identity-token "$TOKEN" \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
#    (A program may instead write the token to a file and set AWS_ROLE_ARN
#    and AWS_WEB_IDENTITY_TOKEN_FILE: AWS SDKs then assume the role themselves.)

# 3. Read: list the files, then copy what you need with aws s3 cp.
aws s3 ls s3://mojap-new-project/
