package naming

// Terraform logical ids. Every resource of the synthesized stack has one
// that says who owns it, so that a plan can be read back dataset by dataset:
//
//	push-<dataset>-<part>         a resource of a push dataset
//	pull-<dataset>-<part>         a resource of a pull dataset
//	pull-<dataset>-user-<role>    a user's access policy to a pull dataset
//	user-<role>                   a user's access policy to all their push prefixes
//	shared-<part>                 the export bucket and what all datasets share
//
// Dataset names and parts never contain a hyphen, so parsing is exact; a role
// name, which may, always comes last.

import "strings"

// Owners that start every logical id: a dataset's kind, or one of these.
const (
	OwnerPush   = string(KindPush)
	OwnerPull   = string(KindPull)
	OwnerUser   = "user"
	OwnerShared = "shared"
)

// userPart starts the part of a pull dataset's per-user access policy.
const userPart = "user-"

// LogicalID is a parsed logical id.
type LogicalID struct {
	// Owner is one of OwnerPush, OwnerPull, OwnerUser or OwnerShared.
	Owner string
	// Dataset is the dataset name for OwnerPush and OwnerPull.
	Dataset string
	// Part names the resource within its owner, e.g. "role" or "bucket"; empty
	// for user policies.
	Part string
	// Role is the user's IAM role name for user access policies.
	Role string
}

// DatasetLogicalID is the logical id of one part of a push or pull dataset.
func DatasetLogicalID(kind Kind, dataset, part string) string {
	return string(kind) + "-" + dataset + "-" + part
}

// PullUserLogicalID is the logical id of a user's access policy to a pull dataset.
func PullUserLogicalID(dataset, role string) string {
	return DatasetLogicalID(KindPull, dataset, userPart+role)
}

// UserPushLogicalID is the logical id of a user's policy for all their push prefixes.
func UserPushLogicalID(role string) string { return OwnerUser + "-" + role }

// SharedLogicalID is the logical id of a resource that all datasets share.
func SharedLogicalID(part string) string { return OwnerShared + "-" + part }

// ParseLogicalID reads a logical id written by this package; ok is false for any
// other id.
func ParseLogicalID(id string) (parsed LogicalID, ok bool) {
	owner, rest, found := strings.Cut(id, "-")
	if !found || rest == "" {
		return LogicalID{}, false
	}
	switch owner {
	case OwnerUser:
		return LogicalID{Owner: owner, Role: rest}, true
	case OwnerShared:
		return LogicalID{Owner: owner, Part: rest}, true
	case OwnerPush, OwnerPull:
		dataset, part, found := strings.Cut(rest, "-")
		if !found || dataset == "" || part == "" {
			return LogicalID{}, false
		}
		if role, isUser := strings.CutPrefix(part, userPart); isUser && owner == OwnerPull {
			return LogicalID{Owner: owner, Dataset: dataset, Part: strings.TrimSuffix(userPart, "-"), Role: role}, true
		}
		return LogicalID{Owner: owner, Dataset: dataset, Part: part}, true
	}
	return LogicalID{}, false
}
