package plansummary

import (
	"cmp"
	"maps"
	"slices"
	"strconv"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Status says what a plan does to a dataset.
type Status string

// Statuses, in the order the summary lists them.
const (
	Added Status = "added"
	// Adopted datasets are those some of whose resources the plan imports
	// (resources that exist but Terraform does not manage yet) rather than
	// creates.
	Adopted Status = "adopted"
	Changed Status = "changed"
	Removed Status = "removed"
)

var statusOrder = []Status{Added, Adopted, Changed, Removed}

// Summary is what a plan does, arranged for a reviewer.
type Summary struct {
	// Errored is true when Terraform could not finish the plan.
	Errored bool
	// Counts is the number of resources per verb: import, create, update,
	// replace, delete, forget. An imported resource that also changes counts
	// under both, as Terraform counts it.
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
	// Verb is import, create, update, replace, delete or forget: what
	// happens to the resource (import only when nothing else does).
	Verb string
	// Owner is the resource's parsed logical id; Ours is false when the
	// logical id is not one of this project's.
	Owner naming.LogicalID
	Ours  bool
}

// Destruction is a resource change a reviewer must look at first.
type Destruction struct {
	ResourceChange
	// Risk says how the change puts data at risk (see Gate); nil when it
	// only deletes or replaces a resource that holds none.
	Risk *Risk
}

// DatasetChange is what the plan does to one dataset.
type DatasetChange struct {
	Kind   datasets.Kind
	Name   string
	Status Status
	// Recipient is a push dataset's recipient bucket before and after.
	Recipient Diff[string]
	// RecipientAccount is the account that owns the recipient bucket, as the
	// mover expects it, before and after ("" on a side deployed before
	// recipients' accounts were pinned). NewRecipientAccount is true when
	// the plan's prior state never dealt with the after account.
	RecipientAccount    Diff[string]
	NewRecipientAccount bool
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
	// Paperwork is the references (links, or text naming a document) in the
	// dataset file; PaperworkGap says why there are none.
	Paperwork    []string
	PaperworkGap *PaperworkGap
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
	account           string
	accountUnknown    bool
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

// Summarize arranges a plan for a reviewer, with each dataset's paperwork
// found by paperwork.
func Summarize(p *Plan, paperwork PaperworkLookup) *Summary {
	s := &Summary{Errored: p.Errored, Counts: map[string]int{}}
	states := map[datasetKey]*datasetState{}
	stateOf := func(key datasetKey) *datasetState {
		if states[key] == nil {
			states[key] = &datasetState{resources: map[string]int{}}
		}
		return states[key]
	}
	unknownPolicies := map[string]bool{}
	risks := newRiskContext(p.Plan)

	for _, rc := range managedChanges(p.Plan) {
		id, ours := naming.ParseLogicalID(rc.Name)
		c := rc.Change
		vs := verbs(c)
		if len(vs) > 0 {
			s.list(rc, vs, id, ours, risks)
		}
		if !ours {
			continue
		}
		switch {
		case id.Owner == naming.OwnerPush || id.Owner == naming.OwnerPull:
			ds := stateOf(datasetKey{datasets.Kind(id.Owner), id.Dataset})
			for _, v := range vs {
				ds.resources[v]++
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

	knownAccounts := priorAccounts(p.Plan)
	for key, ds := range states {
		if change, ok := ds.diff(key, knownAccounts); ok {
			change.Paperwork, change.PaperworkGap = paperwork.find(key.kind, key.name, change.Status)
			s.Datasets = append(s.Datasets, change)
		}
	}
	s.UnknownPushPolicies = slices.Sorted(maps.Keys(unknownPolicies))
	s.sort()
	return s
}

// list counts a changing resource under each of its verbs and lists it where
// a reviewer should see it: under destructive changes, and, when no dataset
// owns it, under other or unowned changes.
func (s *Summary) list(rc *tfjson.ResourceChange, vs []string, id naming.LogicalID, ours bool, risks riskContext) {
	for _, v := range vs {
		s.Counts[v]++
	}
	change := ResourceChange{Address: rc.Address, Verb: vs[len(vs)-1], Owner: id, Ours: ours}
	if risk, atRisk := risks.risk(rc); atRisk {
		s.Destructive = append(s.Destructive, Destruction{ResourceChange: change, Risk: &risk})
	} else if deletes(rc.Change.Actions) {
		s.Destructive = append(s.Destructive, Destruction{ResourceChange: change})
	}
	switch {
	case !ours:
		s.Unowned = append(s.Unowned, change)
	case id.Owner == naming.OwnerUser || id.Owner == naming.OwnerShared:
		s.Other = append(s.Other, change)
	}
}

// read records what one resource says about its dataset on this side.
func (sd *side) read(rc *tfjson.ResourceChange, id naming.LogicalID, values, afterUnknown any) {
	sd.exists = true
	if id.Part == "user" {
		sd.addUser(id.Role)
		return
	}
	switch rc.Type {
	case "aws_lambda_function":
		sd.recipient = stringAttribute(values, moverVariable(naming.EnvDestinationBucket)...)
		sd.recipientUnknown = unknown(afterUnknown, moverVariable(naming.EnvDestinationBucket)...)
		sd.account = stringAttribute(values, moverVariable(naming.EnvDestinationAccount)...)
		sd.accountUnknown = unknown(afterUnknown, moverVariable(naming.EnvDestinationAccount)...)
		sd.keepFiles, _ = strconv.ParseBool(stringAttribute(values, moverVariable(naming.EnvKeepFiles)...))
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

// moverVariable is the path of one variable of a mover function's
// environment.
func moverVariable(name string) []any { return []any{"environment", 0, "variables", name} }

func (sd *side) addUser(role string) {
	if sd.users == nil {
		sd.users = map[string]bool{}
	}
	sd.users[role] = true
}

// pushPolicyDatasets is every push dataset a user's push policy grants.
func pushPolicyDatasets(values any) []string {
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
	case ds.resources[verbImport] > 0:
		// Imported resources have a before side (what exists, read at
		// plan time), so the diff shows what adoption changes.
		change.Status = Adopted
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
		change.RecipientAccount = Diff[string]{Before: b.account, After: a.account, Unknown: a.accountUnknown}
		change.NewRecipientAccount = change.Status != Removed && a.account != "" && !knownAccounts[a.account]
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
// accounts of its resources' ARNs, of every principal its policies grant
// and of every recipient bucket its movers deliver to.
func priorAccounts(p *tfjson.Plan) map[string]bool {
	accounts := map[string]bool{}
	for _, r := range priorResources(p) {
		if account := accountOf(stringAttribute(r.AttributeValues, "arn")); account != "" {
			accounts[account] = true
		}
		if account := stringAttribute(r.AttributeValues, moverVariable(naming.EnvDestinationAccount)...); r.Type == "aws_lambda_function" && account != "" {
			accounts[account] = true
		}
		if doc, ok := parsePolicy(stringAttribute(r.AttributeValues, "policy")); ok {
			granted, _ := doc.grantedPrincipals()
			for _, arn := range granted {
				accounts[accountOf(arn)] = true
			}
		}
	}
	return accounts
}

// sort puts every list in its reading order.
func (s *Summary) sort() {
	slices.SortFunc(s.Destructive, func(a, b Destruction) int {
		return cmp.Or(
			cmp.Compare(boolRank(a.Risk == nil), boolRank(b.Risk == nil)),
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

// Refused is true when the deploy refuses to apply the change (see Gate).
func (d Destruction) Refused() bool { return d.Risk != nil && d.Risk.Refused() }

// Refused is true when the deploy refuses to apply the plan (see Gate).
func (s *Summary) Refused() bool { return slices.ContainsFunc(s.Destructive, Destruction.Refused) }

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
