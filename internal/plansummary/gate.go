package plansummary

import (
	"fmt"
	"slices"
	"strconv"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Rule names one kind of change that puts stored data, its protections or
// its delivery at risk.
type Rule string

// The rules. Every one but VersioningStopped is refused by the deploy (see
// Risk.Refused).
const (
	// BucketDeleted: a bucket deleted or replaced, and its objects with it.
	BucketDeleted Rule = "bucket deleted"
	// ForceDestroyOn: force_destroy turned on, so that deleting the bucket
	// would delete its objects too.
	ForceDestroyOn Rule = "force_destroy turned on"
	// BucketPolicyDeleted: a bucket policy deleted or replaced, leaving the
	// bucket for a while without its grants and TLS denies.
	BucketPolicyDeleted Rule = "bucket policy deleted"
	// PublicAccessWeakened: a public access block setting turned off.
	PublicAccessWeakened Rule = "public access block weakened"
	// MoverRoleRecreated: a mover role deleted or replaced while its dataset
	// stays, or its name is created again.
	MoverRoleRecreated Rule = "mover role re-created"
	// VersioningStopped: a bucket's versioning stopped. Flagged for the
	// reviewer, not refused.
	VersioningStopped Rule = "versioning stopped"
	// ReaderTrustNotNarrow: a federated reader's role whose trust policy is
	// not exactly the one narrow shape that admits one outside identity
	// (federation.CheckTrustShape), is known only after apply, or does not
	// belong to the role's name; or whose sessions would outlast an hour.
	ReaderTrustNotNarrow Rule = "reader trust not narrow"
)

// publicAccessBlocks are the four settings of an S3 public access block.
var publicAccessBlocks = []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"}

// Risk is one change that a rule flags.
type Risk struct {
	Rule Rule
	// Address is the resource's Terraform address, Verb what the plan does
	// to it.
	Address, Verb string
	// Name is the bucket or role the change concerns.
	Name string
	// Setting is the public access block setting turned off
	// (PublicAccessWeakened only).
	Setting string
	// Reason says what is wrong with a reader role (ReaderTrustNotNarrow
	// only).
	Reason string
}

// Refused is true for the risks the deploy refuses to apply: those to the
// data stored now, to its protections (a reader's trust among them), or to
// its delivery. Stopping
// versioning is flagged for the reviewer but not refused: it only affects
// later overwrites, and it is a dataset's own flag.
func (r Risk) Refused() bool { return r.Rule != VersioningStopped }

// Headline says in a few words what the change breaks: the first words a
// reviewer reads about it.
func (r Risk) Headline() string {
	switch r.Rule {
	case BucketDeleted:
		return "Deletes stored data"
	case ForceDestroyOn:
		return "Lets a bucket's data be deleted with the bucket"
	case BucketPolicyDeleted:
		return "Leaves a bucket without its grants and its TLS rules"
	case PublicAccessWeakened:
		return "Could make a bucket public"
	case MoverRoleRecreated:
		return "Breaks delivery: recipients' bucket policies bind the mover role's unique id"
	case VersioningStopped:
		return "Stops versioning"
	}
	return string(r.Rule)
}

// Explain says in a sentence what the change does and what that puts at
// risk; quote quotes a name (a code span in Markdown).
func (r Risk) Explain(quote func(string) string) string {
	name := quote(r.Name)
	switch r.Rule {
	case BucketDeleted:
		return fmt.Sprintf("bucket %s would be %sd, and every object in it with it. "+
			"It has no force_destroy, so while it still holds objects AWS refuses to delete it and the apply fails.", name, r.Verb)
	case ForceDestroyOn:
		return fmt.Sprintf("force_destroy would be turned on for bucket %s: deleting it would then delete every object in it.", name)
	case BucketPolicyDeleted:
		return fmt.Sprintf("the policy of bucket %s would be %sd: until a policy is in place again, its outside principals have no access "+
			"and nothing refuses requests without TLS 1.2.", name, r.Verb)
	case PublicAccessWeakened:
		return fmt.Sprintf("the public access block of bucket %s would be weakened (%s off): the bucket could be made public.", name, r.Setting)
	case MoverRoleRecreated:
		return fmt.Sprintf("mover role %s would be %sd while its dataset still delivers: recipients' bucket policies are bound to the role's unique id, "+
			"which a new role of the same name does not have, so the recipients would refuse every move until each saves its policy again.", name, r.Verb)
	case VersioningStopped:
		return fmt.Sprintf("versioning of bucket %s would stop: objects overwritten or deleted from now on cannot be recovered.", name)
	case ReaderTrustNotNarrow:
		// The reason quotes what the plan holds: quoted too, it cannot
		// inject Markdown into the comment.
		return fmt.Sprintf("federated reader role %s is refused: %s. A reader's role trusts exactly one outside identity, "+
			"in the one shape the stack writes for it: "+naming.DocURL("readers-on-azure-and-google-cloud.md")+".", name, quote(r.Reason))
	}
	return string(r.Rule)
}

// Instead says what to do instead of a refused change, or "" for a risk
// the deploy applies.
func (r Risk) Instead() string {
	switch r.Rule {
	case BucketDeleted:
		if r.Verb == verbReplace {
			return "undo what forces the replacement (the full plan marks it \"forces replacement\")."
		}
		return "keep the dataset file. If the data must go, retire the dataset deliberately: archive and empty the bucket first (" + naming.DocURL("retiring-a-pull-dataset.md") + ")."
	case ForceDestroyOn:
		return "keep force_destroy off: a bucket's objects are removed deliberately, never with the bucket."
	case BucketPolicyDeleted:
		if r.Verb == verbReplace {
			return "undo what forces the replacement (the full plan marks it \"forces replacement\")."
		}
		return "keep the policy: if its address changes, give the new address a moved block."
	case PublicAccessWeakened:
		return "keep all four settings on: no bucket of this project is ever public."
	case MoverRoleRecreated:
		return "keep the role: give a new address a moved block, or adopt an existing role with an import block."
	case ReaderTrustNotNarrow:
		return "describe the reader in the dataset file (gcp_readers or azure_readers) and let the stack write its role; never widen a reader's trust by hand."
	}
	return ""
}

// String is the risk in plain text, for a terminal or a log.
func (r Risk) String() string {
	text := fmt.Sprintf("%s %s: %s", r.Verb, r.Address, r.Explain(strconv.Quote))
	if instead := r.Instead(); instead != "" {
		text += " Instead: " + instead
	}
	return text
}

// Gate is the deploy's rule: the changes of a plan it refuses to apply, in
// plan order. A plan with none may be applied.
func Gate(p *tfjson.Plan) []Risk {
	return slices.DeleteFunc(Risks(p), func(r Risk) bool { return !r.Refused() })
}

// Risks is every change of a plan that a rule flags, refused or not, in plan
// order.
func Risks(p *tfjson.Plan) []Risk {
	ctx := newRiskContext(p)
	var risks []Risk
	for _, rc := range managedChanges(p) {
		if r, ok := ctx.risk(rc); ok {
			risks = append(risks, r)
		}
	}
	return risks
}

// riskContext is what the rules need to know about the whole plan to judge
// one change.
type riskContext struct {
	// deletedBuckets names every bucket the plan deletes or replaces: the
	// policy, versioning and public access block of such a bucket add no
	// risk of their own, the bucket's deletion says it all.
	deletedBuckets map[string]bool
	// keptPushDatasets names every push dataset one of whose resources
	// exists after the plan, and createdRoles every role name the plan
	// creates: a mover role deleted with the rest of its dataset, its name
	// not used again, is a dataset retired, not a role re-created.
	keptPushDatasets, createdRoles map[string]bool
}

func newRiskContext(p *tfjson.Plan) riskContext {
	ctx := riskContext{deletedBuckets: map[string]bool{}, keptPushDatasets: map[string]bool{}, createdRoles: map[string]bool{}}
	for _, rc := range managedChanges(p) {
		c := rc.Change
		if rc.Type == "aws_s3_bucket" && deletes(c.Actions) {
			ctx.deletedBuckets[stringAttribute(c.Before, "bucket")] = true
		}
		if rc.Type == "aws_iam_role" && (c.Actions.Create() || c.Actions.Replace()) {
			ctx.createdRoles[stringAttribute(c.After, "name")] = true
		}
		if id, ours := naming.ParseLogicalID(rc.Name); ours && id.Owner == naming.OwnerPush && c.After != nil {
			ctx.keptPushDatasets[id.Dataset] = true
		}
	}
	return ctx
}

// risk applies the rules to one change; ok is false when none flags it.
func (ctx riskContext) risk(rc *tfjson.ResourceChange) (r Risk, ok bool) {
	c := rc.Change
	r = Risk{Address: rc.Address, Verb: verb(c.Actions), Name: stringAttribute(c.Before, "bucket")}
	if rc.Type != "aws_s3_bucket" && ctx.deletedBuckets[r.Name] {
		return Risk{}, false
	}
	switch rc.Type {
	case "aws_s3_bucket":
		switch {
		case deletes(c.Actions):
			r.Rule = BucketDeleted
		case attribute(c.After, "force_destroy") == true && attribute(c.Before, "force_destroy") != true:
			r.Rule = ForceDestroyOn
		}
	case "aws_s3_bucket_policy":
		if deletes(c.Actions) {
			r.Rule = BucketPolicyDeleted
		}
	case "aws_s3_bucket_versioning":
		before := stringAttribute(c.Before, "versioning_configuration", 0, "status")
		after := stringAttribute(c.After, "versioning_configuration", 0, "status")
		if before == "Enabled" && after != "Enabled" {
			r.Rule = VersioningStopped
		}
	case "aws_s3_bucket_public_access_block":
		for _, block := range publicAccessBlocks {
			if attribute(c.Before, block) == true && attribute(c.After, block) != true {
				r.Rule, r.Setting = PublicAccessWeakened, block
				break
			}
		}
	case "aws_iam_role":
		if reason, isReader := readerRoleProblem(rc); isReader {
			r.Name = stringAttribute(c.After, "name")
			if reason != "" {
				r.Rule, r.Reason = ReaderTrustNotNarrow, reason
			}
			break
		}
		id, ours := naming.ParseLogicalID(rc.Name)
		isMoverRole := ours && id.Owner == naming.OwnerPush && id.Part == naming.PartMoverRole
		r.Name = stringAttribute(c.Before, "name")
		if isMoverRole && deletes(c.Actions) && (ctx.keptPushDatasets[id.Dataset] || ctx.createdRoles[r.Name]) {
			r.Rule = MoverRoleRecreated
		}
	}
	return r, r.Rule != ""
}

// readerRoleProblem says whether a change plans a federated reader's role
// (a role at the readers' path, or with a reader's logical id) and, when it
// does, what the deploy refuses in it ("" when nothing): a trust policy that
// is not of the one narrow shape, is known only after apply, or admits an
// identity whose role has another name; a path other than the readers';
// sessions longer than an hour.
func readerRoleProblem(rc *tfjson.ResourceChange) (reason string, isReader bool) {
	c := rc.Change
	if c.After == nil {
		return "", false // deleted: it trusts nobody any more
	}
	id, ours := naming.ParseLogicalID(rc.Name)
	byID := ours && id.Owner == naming.OwnerPull && naming.IsFederatedReaderPart(id.Part)
	path := stringAttribute(c.After, "path")
	if !byID && path != naming.FederatedReaderRolePath {
		return "", false
	}
	name := stringAttribute(c.After, "name")
	switch {
	case path != naming.FederatedReaderRolePath:
		return fmt.Sprintf("it is at the path %q, not %s, where reader roles are recognised", path, naming.FederatedReaderRolePath), true
	case unknown(c.AfterUnknown, "assume_role_policy"):
		return "its trust policy is known only after apply, so the deploy cannot check it (build every ARN in it from the account id, as the stack does)", true
	case attribute(c.After, "max_session_duration") != float64(federation.MaxSessionSeconds):
		return fmt.Sprintf("its sessions may last %v seconds, but a reader's last at most %d", attribute(c.After, "max_session_duration"), federation.MaxSessionSeconds), true
	}
	reader, err := federation.ReadTrustPolicy(name, stringAttribute(c.After, "assume_role_policy"))
	if err != nil {
		return "its trust policy " + err.Error(), true
	}
	if want := federation.RoleName(id.Dataset, reader); byID && name != want {
		return fmt.Sprintf("its trust policy admits %s, whose role for dataset %s is %s, not this one", reader, id.Dataset, want), true
	}
	return "", true
}
