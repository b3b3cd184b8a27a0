package naming

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Federated readers are the outside identities, a Google Cloud service
// account or a Microsoft Entra principal, that read a pull dataset's bucket
// with a token of their own cloud (sts:AssumeRoleWithWebIdentity) instead of
// AWS keys. Each reader gets a role of its own.

// ReaderCloud is the cloud a federated reader's identity comes from. It is
// part of every reader role's name, so its values never change.
type ReaderCloud string

const (
	// ReaderGCP readers are Google Cloud service accounts.
	ReaderGCP ReaderCloud = "gcp"
	// ReaderAzure readers are managed identities or service principals in a
	// Microsoft Entra ID tenant.
	ReaderAzure ReaderCloud = "azure"
)

// FederatedReaderRolePath is the IAM path of every federated reader role, so
// that they are listed, and recognised in plans, apart from every other role.
const FederatedReaderRolePath = "/federated-reader/"

// Reader role names: read_<dataset>-<digest>.
//
// IAM role names have at most 64 characters. The prefix (5), the hyphen (1)
// and the digest (8) take 14, which leaves 50 for the dataset name; pull
// dataset names may have MaxPullNameLength (57), so a longer name is cut to
// its first 50 characters. The digest covers the whole dataset name, the
// cloud and the identity, so names stay distinct when two long dataset names
// share their first 50 characters. Eight hex digits (32 bits) keep two
// readers of one dataset apart with odds of about one in four billion, and
// the validator refuses the rare collision rather than trusting the odds.
const (
	readerRolePrefix      = "read_"
	readerDigestLength    = 8
	maxRoleNameLength     = 64
	maxReaderRoleDataset  = maxRoleNameLength - len(readerRolePrefix) - len("-") - readerDigestLength
	readerDigestSeparator = "\n" // appears in no dataset name, cloud or identity
)

// FederatedReaderRole is the name of the role that one outside identity
// assumes to read a pull dataset. identity is what the role trusts and never
// changes for that reader: a Google service account's unique id, or
// "<tenant id>/<object id>" of an Entra principal. The same inputs always
// give the same name; changing the formula would replace every reader role
// and change the ARN its reader configured.
func FederatedReaderRole(dataset string, cloud ReaderCloud, identity string) string {
	shown := dataset
	if len(shown) > maxReaderRoleDataset {
		shown = strings.TrimRight(shown[:maxReaderRoleDataset], "_")
	}
	return readerRolePrefix + shown + "-" + readerDigest(dataset, cloud, identity)
}

// readerDigest tells apart the readers of a dataset, in their role names and
// logical ids.
func readerDigest(dataset string, cloud ReaderCloud, identity string) string {
	sum := sha256.Sum256([]byte(dataset + readerDigestSeparator + string(cloud) + readerDigestSeparator + identity))
	return hex.EncodeToString(sum[:])[:readerDigestLength]
}

// FederatedReaderPart is the logical-id part, within its pull dataset, of a
// reader's role: reader_<digest>, the digest of its role name.
func FederatedReaderPart(dataset string, cloud ReaderCloud, identity string) string {
	return readerPartPrefix + readerDigest(dataset, cloud, identity)
}

// IsFederatedReaderPart is true for the logical-id part of a reader's role.
func IsFederatedReaderPart(part string) bool {
	digest, ok := strings.CutPrefix(part, readerPartPrefix)
	return ok && len(digest) == readerDigestLength && strings.Trim(digest, "0123456789abcdef") == ""
}

const readerPartPrefix = "reader_"

// AzureTenantProviderPart is the shared logical-id part of the IAM OIDC
// provider of an Entra tenant, which every dataset's readers in that tenant
// share: azure_tenant_<tenant id, underscores for hyphens>.
func AzureTenantProviderPart(tenantID string) string {
	return "azure_tenant_" + strings.ReplaceAll(tenantID, "-", "_")
}

// ReaderEmailTag is the tag on a Google reader's role that holds its service
// account's email, for people (the console, the plan summary) to read; the
// role trusts only the unique id.
const ReaderEmailTag = "gcp-service-account-email"
