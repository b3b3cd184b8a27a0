package federation

import (
	"fmt"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Target is where a reader's role and bucket live.
type Target struct {
	AccountID string // the account the stack deploys to
	Region    string // its region
	Dataset   string // the pull dataset's name
}

// Instructions are what an outside reader runs on their side to read a pull
// dataset: a bash script that gets a token from their own cloud, exchanges
// it for an hour of AWS credentials with AssumeRoleWithWebIdentity (no AWS
// keys needed) and lists the dataset's bucket. Every value is filled in.
func Instructions(r Reader, target Target) string {
	role := RoleName(target.Dataset, r)
	bucket := naming.PullBucket(target.Dataset)
	var b strings.Builder
	b.WriteString("#!/usr/bin/env bash\n")
	fmt.Fprintf(&b, "# Read the pull dataset %s from outside AWS.\n", target.Dataset)
	fmt.Fprintf(&b, "# Reader:   %s\n", r)
	fmt.Fprintf(&b, "# Role:     %s\n", RoleARN(target.AccountID, role))
	fmt.Fprintf(&b, "# Audience: %s\n", r.Audience(role))
	fmt.Fprintf(&b, "# Bucket:   s3://%s/ (%s)\n", bucket, target.Region)
	b.WriteString("set -euo pipefail\n\n")
	switch r := r.(type) {
	case GCPReader:
		b.WriteString(gcpTokenStep(r, role))
	case AzureReader:
		b.WriteString(azureTokenStep(r))
	}
	b.WriteString("\n")
	b.WriteString(exchangeStep(target, role, string(r.Cloud())+"-reader"))
	b.WriteString("\n")
	b.WriteString(readStep(bucket))
	return b.String()
}

// gcpTokenStep gets a Google ID token for the role's audience; its azp and
// sub are the service account's unique id.
func gcpTokenStep(r GCPReader, role string) string {
	audience := GCPAudience(role)
	email := r.ServiceAccountEmail
	if email == "" {
		email = "<the service account's email>"
	}
	return fmt.Sprintf(`# 1. Get an ID token for the audience, as the service account.
#    On Compute Engine, GKE or Cloud Run running as the service account:
TOKEN=$(curl -sSf -H 'Metadata-Flavor: Google' \
  'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/identity?audience=%[1]s&format=full')
#    Or anywhere gcloud may impersonate the service account (this needs
#    roles/iam.serviceAccountOpenIdTokenCreator on it):
#    TOKEN=$(gcloud auth print-identity-token --impersonate-service-account=%[2]s --audiences=%[1]s)
`, audience, email)
}

// azureTokenStep gets an Entra access token for the reader's application;
// its aud is the client id and its sub the principal's object id.
func azureTokenStep(r AzureReader) string {
	return fmt.Sprintf(`# Once, in the reader's app registration: give it the Application ID URI
# that tokens are asked for, and make Entra issue v2 tokens for it
# ("accessTokenAcceptedVersion": 2 in its manifest), the only ones AWS trusts.
#    az ad app update --id %[1]s --identifier-uris api://%[1]s
#    az rest --method PATCH \
#      --uri "https://graph.microsoft.com/v1.0/applications(appId='%[1]s')" \
#      --body '{"api":{"requestedAccessTokenVersion":2}}'

# 1. Get an access token for the application, as the managed identity or
#    service principal %[2]s.
#    On an Azure VM or scale set with the managed identity (needs jq):
TOKEN=$(curl -sSf -H 'Metadata: true' \
  'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://%[1]s' | jq -r .access_token)
#    Or wherever Azure CLI is signed in as it (az login --identity, or
#    az login --service-principal):
#    TOKEN=$(az account get-access-token --resource api://%[1]s --query accessToken -o tsv)
`, r.ClientID, r.ObjectID)
}

// exchangeStep trades $TOKEN for AWS credentials in the environment. The
// call needs no AWS credentials of its own.
func exchangeStep(target Target, role, session string) string {
	return fmt.Sprintf(`# 2. Exchange the token for AWS credentials, valid for an hour.
export AWS_DEFAULT_REGION=%s
read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN < <(
  aws sts assume-role-with-web-identity \
    --role-arn %s \
    --role-session-name %s \
    --web-identity-token "$TOKEN" \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
#    (A program may instead write the token to a file and set AWS_ROLE_ARN
#    and AWS_WEB_IDENTITY_TOKEN_FILE: AWS SDKs then assume the role themselves.)
`, target.Region, RoleARN(target.AccountID, role), session)
}

// readStep lists the bucket.
func readStep(bucket string) string {
	return fmt.Sprintf(`# 3. Read: list the files, then copy what you need with aws s3 cp.
aws s3 ls s3://%s/
`, bucket)
}
