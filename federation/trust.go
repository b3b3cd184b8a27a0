package federation

import (
	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
)

// AssumeRoleWithWebIdentity is the one action a reader role's trust allows:
// no sts:TagSession, so a token cannot add session tags.
const AssumeRoleWithWebIdentity = "sts:AssumeRoleWithWebIdentity"

// Google is AWS's built-in web identity provider for Google: the Federated
// principal of a Google reader's trust and the prefix of its condition keys.
// AWS trusts it without an IAM OIDC provider, and none must be created.
const Google = "accounts.google.com"

// googleIssuers are the iss values of Google's ID tokens.
var googleIssuers = []string{"https://accounts.google.com", "accounts.google.com"}

// The condition keys AWS fills from a Google ID token.
const (
	// GoogleAud is the token's azp (the service account's unique id for the
	// tokens of a service account), or its aud when it has no azp.
	GoogleAud = Google + ":aud"
	// GoogleOaud is the token's aud: the audience the caller asked for.
	GoogleOaud = Google + ":oaud"
	// GoogleSub is the token's sub: the service account's unique id.
	GoogleSub = Google + ":sub"
)

// entraHost serves the issuers of Microsoft Entra ID tokens.
const entraHost = "login.microsoftonline.com"

// AzureProvider is the URL of a tenant's IAM OIDC provider without
// "https://": the issuer of the tenant's v2 tokens, and the prefix of the
// condition keys of a role that trusts it.
func AzureProvider(tenantID string) string { return entraHost + "/" + tenantID + "/v2.0" }

// AzureIssuer is the iss of a tenant's v2 tokens, and the URL of its IAM OIDC
// provider. v1 tokens (issuer https://sts.windows.net/<tenant>/) are never
// trusted: their aud is whatever resource string the caller asked for.
func AzureIssuer(tenantID string) string { return "https://" + AzureProvider(tenantID) }

// AzureProviderARN is the ARN IAM gives the tenant's OIDC provider in an
// account. Building it from the account id rather than reading it from the
// provider resource keeps a trust policy known at plan time.
func AzureProviderARN(accountID, tenantID string) string {
	return "arn:aws:iam::" + accountID + ":oidc-provider/" + AzureProvider(tenantID)
}

// AzureAud and AzureSub are the condition keys AWS fills, for a tenant's
// provider, from a token's aud (the reader's application) and sub (the
// principal).
func AzureAud(tenantID string) string { return AzureProvider(tenantID) + ":aud" }

// AzureSub: see AzureAud.
func AzureSub(tenantID string) string { return AzureProvider(tenantID) + ":sub" }

// MaxClientIDsPerProvider is IAM's limit on the client ids (audiences) of one
// OIDC provider: "You cannot register more than 100 client IDs with a single
// IAM OIDC provider" (CreateOpenIDConnectProvider). Every Azure reader's
// client id is on its tenant's provider.
const MaxClientIDsPerProvider = 100

// MaxTrustPolicyLength is IAM's default quota on the length of a role's trust
// policy ("Role trust policy length", 2,048 characters, L-C07B4B0D; IAM does
// not count white space, and these policies have none).
const MaxTrustPolicyLength = 2048

// TrustPolicy is the trust of the role named role for a Google service
// account: AssumeRoleWithWebIdentity from accounts.google.com, and one
// StringEquals on exactly three keys. aud (the token's azp) and sub are both
// the service account's unique id, so that no other Google account can
// assume the role; oaud (the token's aud, which the caller chooses) is the
// role's own audience, so that a token the service account got for another
// service cannot.
func (r GCPReader) TrustPolicy(role string) iampolicy.Document {
	id := r.ServiceAccountUniqueID
	return webIdentityTrust(Google, iampolicy.Condition{"StringEquals": {
		GoogleAud:  {id},
		GoogleOaud: {GCPAudience(role)},
		GoogleSub:  {id},
	}})
}

// TrustPolicy is the trust of an Azure reader's role: AssumeRoleWithWebIdentity
// from the tenant's OIDC provider (providerARN, which may be a Terraform
// token at synth time), and one StringEquals pinning both aud (the reader's
// application) and sub (the principal). Every principal in the tenant can get
// a token for the application, so aud alone would trust them all.
func (r AzureReader) TrustPolicy(providerARN string) iampolicy.Document {
	return webIdentityTrust(providerARN, iampolicy.Condition{"StringEquals": {
		AzureAud(r.TenantID): {r.ClientID},
		AzureSub(r.TenantID): {r.ObjectID},
	}})
}

func webIdentityTrust(federated string, condition iampolicy.Condition) iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{
		Effect:    iampolicy.Allow,
		Principal: map[string][]string{"Federated": {federated}},
		Action:    []string{AssumeRoleWithWebIdentity},
		Condition: condition,
	})
}
