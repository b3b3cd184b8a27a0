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
	sum := sha256.Sum256([]byte(dataset + readerDigestSeparator + string(cloud) + readerDigestSeparator + identity))
	digest := hex.EncodeToString(sum[:])[:readerDigestLength]
	shown := dataset
	if len(shown) > maxReaderRoleDataset {
		shown = strings.TrimRight(shown[:maxReaderRoleDataset], "_")
	}
	return readerRolePrefix + shown + "-" + digest
}
