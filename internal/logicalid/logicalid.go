// Package logicalid is the one convention for Terraform logical ids in the
// synthesized stack, shared by the constructs that write them and the plan
// summary that reads them back. Every id says who owns the resource:
//
//	push-<dataset>-<part>         a resource of a push dataset
//	pull-<dataset>-<part>         a resource of a pull dataset
//	pull-<dataset>-user-<role>    a user's access policy to a pull dataset
//	user-<role>                   a user's access policy to all their push prefixes
//	shared-<part>                 the export bucket and what all datasets share
//
// Dataset names and parts never contain a hyphen, so parsing is exact; a role
// name, which may, always comes last.
package logicalid

import "strings"

// Owner kinds that start every logical id.
const (
	OwnerPush   = "push"
	OwnerPull   = "pull"
	OwnerUser   = "user"
	OwnerShared = "shared"
)

// userPart starts the part of a pull dataset's per-user access policy.
const userPart = "user-"

// ID is a parsed logical id.
type ID struct {
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

// Dataset is the logical id of one part of a push or pull dataset.
func Dataset(kind, dataset, part string) string {
	return kind + "-" + dataset + "-" + part
}

// PullUser is the logical id of a user's access policy to a pull dataset.
func PullUser(dataset, role string) string {
	return Dataset(OwnerPull, dataset, userPart+role)
}

// UserPush is the logical id of a user's policy for all their push prefixes.
func UserPush(role string) string { return OwnerUser + "-" + role }

// Shared is the logical id of a resource that all datasets share.
func Shared(part string) string { return OwnerShared + "-" + part }

// Parse reads a logical id written by this package; ok is false for any
// other id.
func Parse(id string) (parsed ID, ok bool) {
	owner, rest, found := strings.Cut(id, "-")
	if !found || rest == "" {
		return ID{}, false
	}
	switch owner {
	case OwnerUser:
		return ID{Owner: owner, Role: rest}, true
	case OwnerShared:
		return ID{Owner: owner, Part: rest}, true
	case OwnerPush, OwnerPull:
		dataset, part, found := strings.Cut(rest, "-")
		if !found || dataset == "" || part == "" {
			return ID{}, false
		}
		if role, isUser := strings.CutPrefix(part, userPart); isUser && owner == OwnerPull {
			return ID{Owner: owner, Dataset: dataset, Part: strings.TrimSuffix(userPart, "-"), Role: role}, true
		}
		return ID{Owner: owner, Dataset: dataset, Part: part}, true
	}
	return ID{}, false
}
