package plansummary

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Status says what a plan does to a dataset.
type Status string

// Statuses, in the order the summary lists them.
const (
	Added   Status = "added"
	Changed Status = "changed"
	Removed Status = "removed"
)

var statusOrder = []Status{Added, Changed, Removed}

// Summary is what a plan does, arranged for a reviewer.
type Summary struct {
	// Errored is true when Terraform could not finish the plan.
	Errored bool
	// Counts is the number of resources per action: create, update,
	// replace, delete.
	Counts map[string]int
	// Destructive lists every deletion or replacement and every change that
	// puts data at risk, the riskiest first.
	Destructive []Destruction
	// Datasets lists each dataset the plan changes, by status, kind, name.
	Datasets []DatasetChange
	// Other lists changes to shared resources and users' push policies.
	Other []ResourceChange
	// Unowned lists changed resources whose logical id is not ours.
	Unowned []ResourceChange
	// UnknownPushPolicies names users whose push policy is known only after
	// apply, so push users gained and lost may be incomplete.
	UnknownPushPolicies []string
}

// ResourceChange is one resource the plan changes.
type ResourceChange struct {
	Address string
	// Verb is create, update, replace or delete.
	Verb string
	// Owner describes the owner for people, e.g. "push dataset `x`".
	Owner string
}

// Destruction is a resource change a reviewer must look at first.
type Destruction struct {
	ResourceChange
	// DataRisk says how the change puts data at risk; empty when it only
	// deletes or replaces a resource that holds none.
	DataRisk string
	// Refused is true for the risks the deploy refuses to apply (see
	// DataRisks): those to the data stored now, or to its protections.
	// Stopping versioning is flagged for the reviewer but not refused: it
	// only affects later overwrites, and it is a dataset's own flag.
	Refused bool
}

// DatasetChange is what the plan does to one dataset.
type DatasetChange struct {
	Kind   datasets.Kind
	Name   string
	Status Status
	// Recipient is a push dataset's recipient bucket before and after.
	Recipient Diff[string]
	// Bucket is a pull dataset's own bucket name (after, or before when
	// removed).
	Bucket string
	// UsersGained and UsersLost are Analytical Platform roles.
	UsersGained, UsersLost []string
	// PrincipalsGained and PrincipalsLost are a pull dataset's outside
	// principals; PrincipalsUnknown is true when the bucket policy is known
	// only after apply.
	PrincipalsGained, PrincipalsLost []Principal
	PrincipalsUnknown                bool
	// Flags lists the dataset's flags that change (for an added dataset:
	// those turned on).
	Flags []FlagChange
	// Paperwork is the link in the dataset file; PaperworkNote explains its
	// absence.
	Paperwork, PaperworkNote string
	// Resources counts the dataset's own resources per verb.
	Resources map[string]int
}

// Diff is a value before and after the plan; Unknown is true when the after
// value is known only after apply.
type Diff[T comparable] struct {
	Before, After T
	Unknown       bool
}

// Changed is true when the value changes.
func (d Diff[T]) Changed() bool { return d.Unknown || d.Before != d.After }

// Principal is an outside IAM principal granted access to a pull bucket.
type Principal struct {
	ARN     string
	Account string
	// NewAccount is true when no principal of the plan's prior state is in
	// this account.
	NewAccount bool
}

// FlagChange is one dataset flag (keep_files, allow_push,
// bucket_versioning) before and after.
type FlagChange struct {
	Name          string
	Before, After bool
}

// Flag names as analysts write them in dataset files.
const (
	flagKeepFiles        = "keep_files"
	flagAllowPush        = "allow_push"
	flagBucketVersioning = "bucket_versioning"
)

// side is what a dataset looks like on one side of the plan, read from its
// resources.
type side struct {
	exists            bool
	recipient         string
	recipientUnknown  bool
	keepFiles         bool
	bucket            string
	principals        []string
	principalsUnknown bool
	allowPush         bool
	versioning        bool
	users             map[string]bool
}

type datasetKey struct {
	kind datasets.Kind
	name string
}

// datasetState gathers a dataset's two sides and its own resource changes.
type datasetState struct {
	before, after side
	// resources counts the dataset's changing resources per verb.
	resources map[string]int
}

// Summarize reads a plan and arranges it for a reviewer, with each dataset's
// paperwork link found by paperwork.
func Summarize(planJSON []byte, paperwork PaperworkLookup) (*Summary, error) {
	p, err := parsePlan(planJSON)
	if err != nil {
		return nil, err
	}
	s := &Summary{Errored: p.Errored, Counts: map[string]int{}}
	states := map[datasetKey]*datasetState{}
	stateOf := func(key datasetKey) *datasetState {
		if states[key] == nil {
			states[key] = &datasetState{resources: map[string]int{}}
		}
		return states[key]
	}
	unknownPolicies := map[string]bool{}
	deletedBuckets := p.deletedBuckets()

	for _, rc := range p.ResourceChanges {
		if !rc.isManaged() {
			continue
		}
		id, ours := naming.ParseLogicalID(rc.Name)
		c := rc.Change
		if c.changes() {
			s.list(rc, id, ours, deletedBuckets)
		}
		if !ours {
			continue
		}
		switch {
		case id.Owner == naming.OwnerPush || id.Owner == naming.OwnerPull:
			ds := stateOf(datasetKey{datasets.Kind(id.Owner), id.Dataset})
			if c.changes() {
				ds.resources[c.verb()]++
			}
			if c.Before != nil {
				ds.before.read(rc, id, c.Before, nil)
			}
			if c.After != nil {
				ds.after.read(rc, id, c.After, c.AfterUnknown)
			}
		case id.Owner == naming.OwnerUser:
			// A user's push policy lists the prefix of every push dataset
			// they may write to: that is where push users come from.
			for _, name := range pushPolicyDatasets(c.Before) {
				stateOf(datasetKey{datasets.KindPush, name}).before.addUser(id.Role)
			}
			if c.After != nil && unknown(c.AfterUnknown, "policy") {
				unknownPolicies[id.Role] = true
			}
			for _, name := range pushPolicyDatasets(c.After) {
				stateOf(datasetKey{datasets.KindPush, name}).after.addUser(id.Role)
			}
		}
	}

	knownAccounts := priorAccounts(p)
	for key, ds := range states {
		if change, ok := ds.diff(key, knownAccounts); ok {
			change.Paperwork, change.PaperworkNote = paperwork.find(key.kind, key.name, change.Status)
			s.Datasets = append(s.Datasets, change)
		}
	}
	s.UnknownPushPolicies = slices.Sorted(maps.Keys(unknownPolicies))
	s.sort()
	return s, nil
}

// list counts a changing resource and lists it where a reviewer should see
// it: under destructive changes, and, when no dataset owns it, under other
// or unowned changes.
func (s *Summary) list(rc resourceChange, id naming.LogicalID, ours bool, deletedBuckets map[string]bool) {
	c := rc.Change
	change := ResourceChange{Address: rc.Address, Verb: c.verb(), Owner: describeOwner(id, ours)}
	s.Counts[change.Verb]++
	if risk, refused := dataRisk(rc, deletedBuckets); c.deletes() || risk != "" {
		s.Destructive = append(s.Destructive, Destruction{ResourceChange: change, DataRisk: risk, Refused: refused})
	}
	switch {
	case !ours:
		s.Unowned = append(s.Unowned, change)
	case id.Owner == naming.OwnerUser || id.Owner == naming.OwnerShared:
		s.Other = append(s.Other, change)
	}
}

// read records what one resource says about its dataset on this side.
func (sd *side) read(rc resourceChange, id naming.LogicalID, values, afterUnknown map[string]any) {
	sd.exists = true
	if id.Part == "user" {
		sd.addUser(id.Role)
		return
	}
	switch rc.Type {
	case "aws_lambda_function":
		variables := []any{"environment", 0, "variables"}
		sd.recipient = stringAttribute(values, append(variables, "DESTINATION_BUCKET")...)
		sd.recipientUnknown = unknown(afterUnknown, append(variables, "DESTINATION_BUCKET")...)
		sd.keepFiles, _ = strconv.ParseBool(stringAttribute(values, append(variables, "KEEP_FILES")...))
	case "aws_s3_bucket":
		sd.bucket = stringAttribute(values, "bucket")
	case "aws_s3_bucket_policy":
		if unknown(afterUnknown, "policy") {
			sd.principalsUnknown = true
			return
		}
		if doc, ok := parsePolicy(stringAttribute(values, "policy")); ok {
			sd.principals, sd.allowPush = doc.grantedPrincipals()
		}
	case "aws_s3_bucket_versioning":
		sd.versioning = stringAttribute(values, "versioning_configuration", 0, "status") == "Enabled"
	}
}

func (sd *side) addUser(role string) {
	if sd.users == nil {
		sd.users = map[string]bool{}
	}
	sd.users[role] = true
}

// pushPolicyDatasets is every push dataset a user's push policy grants.
func pushPolicyDatasets(values map[string]any) []string {
	doc, ok := parsePolicy(stringAttribute(values, "policy"))
	if !ok {
		return nil
	}
	return doc.pushDatasets()
}

// diff compares a dataset's two sides; ok is false when nothing a reviewer
// judges changes.
func (ds *datasetState) diff(key datasetKey, knownAccounts map[string]bool) (DatasetChange, bool) {
	b, a := ds.before, ds.after
	change := DatasetChange{Kind: key.kind, Name: key.name, Resources: ds.resources}
	switch {
	case !b.exists && a.exists:
		change.Status = Added
	case b.exists && !a.exists:
		change.Status = Removed
	default:
		change.Status = Changed
	}
	change.UsersGained, change.UsersLost = setDiff(b.users, a.users)
	switch key.kind {
	case datasets.KindPush:
		change.Recipient = Diff[string]{Before: b.recipient, After: a.recipient, Unknown: a.recipientUnknown}
		change.Flags = flagChanges(change.Status, FlagChange{flagKeepFiles, b.keepFiles, a.keepFiles})
	case datasets.KindPull:
		change.Bucket = cmp.Or(a.bucket, b.bucket)
		gained, lost := setDiff(toSet(b.principals), toSet(a.principals))
		change.PrincipalsGained = principals(gained, knownAccounts)
		change.PrincipalsLost = principals(lost, knownAccounts)
		change.PrincipalsUnknown = a.principalsUnknown
		change.Flags = flagChanges(change.Status,
			FlagChange{flagAllowPush, b.allowPush, a.allowPush},
			FlagChange{flagBucketVersioning, b.versioning, a.versioning},
		)
	}
	judged := len(ds.resources) > 0 || len(change.UsersGained)+len(change.UsersLost) > 0
	return change, judged
}

// flagChanges keeps the flags whose value changes; a removed dataset's flags
// go with it and are not listed.
func flagChanges(status Status, flags ...FlagChange) []FlagChange {
	if status == Removed {
		return nil
	}
	return slices.DeleteFunc(flags, func(f FlagChange) bool { return f.Before == f.After })
}

// principals describes principal ARNs, marking accounts the prior state
// never granted.
func principals(arns []string, knownAccounts map[string]bool) []Principal {
	var out []Principal
	for _, arn := range arns {
		account := accountOf(arn)
		out = append(out, Principal{ARN: arn, Account: account, NewAccount: !knownAccounts[account]})
	}
	return out
}

// priorAccounts is every account the prior state already deals with: the
// accounts of its resources' ARNs and of every principal its policies grant.
func priorAccounts(p *plan) map[string]bool {
	accounts := map[string]bool{}
	for _, r := range p.priorResources() {
		if account := accountOf(stringAttribute(r.Values, "arn")); account != "" {
			accounts[account] = true
		}
		if doc, ok := parsePolicy(stringAttribute(r.Values, "policy")); ok {
			granted, _ := doc.grantedPrincipals()
			for _, arn := range granted {
				accounts[accountOf(arn)] = true
			}
		}
	}
	return accounts
}

// deletedBuckets is the name of every bucket the plan deletes or replaces.
func (p *plan) deletedBuckets() map[string]bool {
	deleted := map[string]bool{}
	for _, rc := range p.ResourceChanges {
		if rc.isManaged() && rc.Type == "aws_s3_bucket" && rc.Change.deletes() {
			deleted[stringAttribute(rc.Change.Before, "bucket")] = true
		}
	}
	return deleted
}

// dataRisk says how a change puts stored data at risk, or "", and whether
// the deploy refuses it (see Destruction.Refused). The policy, versioning and
// public access block of a bucket that is itself deleted add no risk of their
// own: the bucket's deletion says it all.
func dataRisk(rc resourceChange, deletedBuckets map[string]bool) (risk string, refused bool) {
	c := rc.Change
	if rc.Type != "aws_s3_bucket" && deletedBuckets[stringAttribute(c.Before, "bucket")] {
		return "", false
	}
	switch rc.Type {
	case "aws_s3_bucket":
		bucket := stringAttribute(c.Before, "bucket")
		switch {
		case c.deletes():
			return fmt.Sprintf("bucket `%s` would be %sd, and every object in it with it. "+
				"It has no force_destroy, so while it still holds objects AWS refuses to delete it and the apply fails: "+
				"if the data must go, archive and empty the bucket first; if not, keep the dataset file.", bucket, c.verb()), true
		case attribute(c.After, "force_destroy") == true && attribute(c.Before, "force_destroy") != true:
			return fmt.Sprintf("force_destroy would be turned on for bucket `%s`: deleting it would then delete every object in it.", bucket), true
		}
	case "aws_s3_bucket_policy":
		if c.deletes() {
			return fmt.Sprintf("the policy of bucket `%s` would be %sd: until a policy is in place again, its outside principals have no access "+
				"and nothing refuses requests without TLS 1.2.", stringAttribute(c.Before, "bucket"), c.verb()), true
		}
	case "aws_s3_bucket_versioning":
		before := stringAttribute(c.Before, "versioning_configuration", 0, "status")
		after := stringAttribute(c.After, "versioning_configuration", 0, "status")
		// Flagged, not refused: bucket_versioning is the dataset's own flag.
		if before == "Enabled" && after != "Enabled" {
			return fmt.Sprintf("versioning of bucket `%s` would stop: objects overwritten or deleted from now on cannot be recovered.",
				stringAttribute(c.Before, "bucket")), false
		}
	case "aws_s3_bucket_public_access_block":
		for _, block := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
			if attribute(c.Before, block) == true && attribute(c.After, block) != true {
				return fmt.Sprintf("the public access block of bucket `%s` would be weakened (%s off): the bucket could be made public.",
					stringAttribute(c.Before, "bucket"), block), true
			}
		}
	}
	return "", false
}

// describeOwner names the owner of a resource for people.
func describeOwner(id naming.LogicalID, ours bool) string {
	switch {
	case !ours:
		return "not a logical id of this project"
	case id.Owner == naming.OwnerUser:
		return fmt.Sprintf("push access of `%s`", id.Role)
	case id.Owner == naming.OwnerShared:
		return "shared by all datasets"
	case id.Part == "user":
		return fmt.Sprintf("pull dataset `%s`, access of `%s`", id.Dataset, id.Role)
	}
	return fmt.Sprintf("%s dataset `%s`", id.Owner, id.Dataset)
}

// sort puts every list in its reading order.
func (s *Summary) sort() {
	slices.SortFunc(s.Destructive, func(a, b Destruction) int {
		return cmp.Or(
			cmp.Compare(boolRank(a.DataRisk == ""), boolRank(b.DataRisk == "")),
			cmp.Compare(a.Address, b.Address),
		)
	})
	slices.SortFunc(s.Datasets, func(a, b DatasetChange) int {
		return cmp.Or(
			cmp.Compare(slices.Index(statusOrder, a.Status), slices.Index(statusOrder, b.Status)),
			cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.Name, b.Name),
		)
	})
	byAddress := func(a, b ResourceChange) int { return cmp.Compare(a.Address, b.Address) }
	slices.SortFunc(s.Other, byAddress)
	slices.SortFunc(s.Unowned, byAddress)
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// DataRisks are the changes that put stored data, or its protections, at
// risk: the deploy refuses a plan that has any (plan-summary
// --fail-on-data-risk).
func (s *Summary) DataRisks() []Destruction {
	var risks []Destruction
	for _, d := range s.Destructive {
		if d.Refused {
			risks = append(risks, d)
		}
	}
	return risks
}

// Empty is true when the plan changes no resource.
func (s *Summary) Empty() bool {
	for _, n := range s.Counts {
		if n > 0 {
			return false
		}
	}
	return true
}

func toSet(items []string) map[string]bool {
	set := map[string]bool{}
	for _, item := range items {
		set[item] = true
	}
	return set
}

// setDiff is what after has that before lacks, and the reverse, sorted.
func setDiff(before, after map[string]bool) (gained, lost []string) {
	for item := range after {
		if !before[item] {
			gained = append(gained, item)
		}
	}
	for item := range before {
		if !after[item] {
			lost = append(lost, item)
		}
	}
	slices.Sort(gained)
	slices.Sort(lost)
	return gained, lost
}
