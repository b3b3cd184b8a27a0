// Package federation lets a pull dataset be read from Google Cloud and
// Microsoft Azure without AWS keys: each outside reader gets a role of its
// own that trusts exactly one outside identity, which assumes it with a token
// of its own cloud (sts:AssumeRoleWithWebIdentity).
//
// It holds the readers' model and the validation of their identities, the
// names and audiences derived from them, the trust policies, a small
// fail-closed evaluator of those policies that proves their narrowness in Go
// (the emulator's AssumeRoleWithWebIdentity checks nothing), the shape check
// the deploy gate applies to trust policies found in a plan, and the
// instructions each reader follows on their side.
//
// It is pure Go: it imports neither CDKTF nor the AWS bindings, nor the
// dataset files' package, which embeds its reader types.
package federation

import (
	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// The fields of a reader as written in a pull dataset file, under
// gcp_readers and azure_readers.
const (
	FieldUniqueID = "service_account_unique_id"
	FieldEmail    = "service_account_email"
	FieldTenantID = "tenant_id"
	FieldObjectID = "object_id"
	FieldClientID = "client_id"
)

// GCPReader is a Google Cloud service account that may read a pull dataset.
type GCPReader struct {
	// ServiceAccountUniqueID is the service account's 21-digit unique id,
	// which Google never changes nor gives to another account. It is the only
	// thing the role trusts.
	ServiceAccountUniqueID string `json:"service_account_unique_id"`
	// ServiceAccountEmail is the service account's email, for people to read;
	// the role never trusts it, since an email can be deleted and re-created
	// by someone else.
	ServiceAccountEmail string `json:"service_account_email,omitempty"`
}

// AzureReader is a managed identity or service principal in a Microsoft
// Entra ID tenant that may read a pull dataset. Its tokens are access tokens
// for an application the reader registered in their tenant.
type AzureReader struct {
	// TenantID is the Entra tenant (directory) id.
	TenantID string `json:"tenant_id"`
	// ObjectID is the object id of the managed identity or service principal
	// (a token's sub): without it the role would trust every principal in
	// the tenant.
	ObjectID string `json:"object_id"`
	// ClientID is the application (client) id of the app registration the
	// reader gets tokens for (a v2 token's aud).
	ClientID string `json:"client_id"`
}

// Reader is one outside identity of either cloud.
type Reader interface {
	// Cloud is the cloud the identity comes from.
	Cloud() naming.ReaderCloud
	// Identity is what the reader's role trusts, and what its name is derived
	// from: the unique id, or "<tenant id>/<object id>".
	Identity() string
	// Audience is what the reader's tokens must be issued for: for Google,
	// the audience this tool chose for the role; for Azure, the client id.
	Audience(role string) string
	// String names the identity for people, as a plan summary shows it:
	// "Google Cloud service account ..." or "Azure principal ...".
	String() string
	// sizedTrustPolicy is the reader's trust policy as long as IAM will hold
	// it; it also keeps Reader to this package's two kinds.
	sizedTrustPolicy(role string) iampolicy.Document
}

var (
	_ Reader = GCPReader{}
	_ Reader = AzureReader{}
)

// Cloud is naming.ReaderGCP.
func (GCPReader) Cloud() naming.ReaderCloud { return naming.ReaderGCP }

// Identity is the service account's unique id.
func (r GCPReader) Identity() string { return r.ServiceAccountUniqueID }

// Audience is the audience the service account requests its tokens for:
// GCPAudience(role).
func (GCPReader) Audience(role string) string { return GCPAudience(role) }

// String is "Google Cloud service account <unique id> (<email>)".
func (r GCPReader) String() string {
	s := "Google Cloud service account " + r.ServiceAccountUniqueID
	if r.ServiceAccountEmail != "" {
		s += " (" + r.ServiceAccountEmail + ")"
	}
	return s
}

// Cloud is naming.ReaderAzure.
func (AzureReader) Cloud() naming.ReaderCloud { return naming.ReaderAzure }

// Identity is "<tenant id>/<object id>": the client id may change (the reader
// registers another application) without renaming the role.
func (r AzureReader) Identity() string { return r.TenantID + "/" + r.ObjectID }

// Audience is the client id of the reader's application.
func (r AzureReader) Audience(string) string { return r.ClientID }

// String is "Azure principal <object id> in tenant <tenant id>, tokens for
// application <client id>".
func (r AzureReader) String() string {
	return "Azure principal " + r.ObjectID + " in tenant " + r.TenantID + ", tokens for application " + r.ClientID
}

// RoleName is the name of the reader's role for a dataset.
func RoleName(dataset string, r Reader) string {
	return naming.FederatedReaderRole(dataset, r.Cloud(), r.Identity())
}

// RoleARN is the ARN of a reader role in an account.
func RoleARN(accountID, role string) string {
	return "arn:aws:iam::" + accountID + ":role" + naming.FederatedReaderRolePath + role
}

// MaxSessionSeconds is every reader role's MaxSessionDuration: one hour, the
// IAM default, as long as the tokens that assume it live.
const MaxSessionSeconds = 3600

// gcpAudiencePrefix starts every audience this tool chooses for a Google
// reader. "mojap-exports" has no dot, so it is no domain anyone can own, and
// no other service will ever ask Google for tokens with this audience.
const gcpAudiencePrefix = "https://mojap-exports/"

// GCPAudience is the audience a Google reader requests its tokens for, which
// the role requires as accounts.google.com:oaud. It is unique to the role (it
// ends with the role's name) and stable, so that a token the service account
// gets for any other service, whose audience that service chose, can never
// assume the role.
func GCPAudience(role string) string { return gcpAudiencePrefix + role }
