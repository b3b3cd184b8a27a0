#!/usr/bin/env bash
# make demo-migration: the switch from the earlier tool, on the moto emulator,
# with no AWS account.
#
# It builds what the earlier tool deployed for an invented set of datasets,
# with the AWS SDK and never with our stack (devtools/earlierestate): the
# export bucket with objects waiting to be moved, the mover roles, python
# functions, permissions and the one notification, the pull buckets holding
# objects (one versioned), the users' policies. Then it does what the runbook
# asks of a person: migrate the dataset files, adopt what exists, synthesize,
# plan and let the deploy's gate read the plan, apply; and checks that every
# object and version is still there, that no old grant is left, that the
# adopted movers deliver and that a sweep moves what waited, and that a
# second plan is empty. Everything it writes lives under build/demo-migration
# (git-ignored); its Terraform state is removed and moto stopped however it
# ends.
set -euo pipefail
shopt -s nullglob

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

demo=$repo/build/demo-migration
demo_name="make demo-migration"
outdir=$demo/cdktf.out
stack=$outdir/stacks/exports
state=$demo/state/demo.tfstate
earlier=$demo/earlier-tool
datasets=$demo/datasets
total_steps=14
# shellcheck source=scripts/lib.sh
source "$repo/scripts/lib.sh"
demo_begin
rm -rf "$earlier" "$datasets"
export DATASETS_DIR=$datasets

echo "make demo-migration: the switch from the earlier tool against the moto AWS emulator (no AWS account used)"

# ---------------------------------------------------------------- 1-2 tools, moto

step "Check the tools (go, terraform, node, moto_server, aws, python3)"
check_tools

step "Start moto_server on a free 127.0.0.1 port, with the AWS managed policies loaded"
start_moto MOTO_IAM_LOAD_MANAGED_POLICIES=true

# ---------------------------------------------------------------- 3 the earlier tool's estate

step "Build what the earlier tool deployed, with the AWS SDK (not with our stack), and its dataset files"
run "$demo/estate.log" go run ./devtools/earlierestate -files "$earlier" -manifest "$demo/files/objects-before.txt"
sed -n 's/^/        /p' <(grep -v '^\$' "$demo/estate.log")
mapfile -t push_names < <(cd "$earlier/push_datasets" && for f in *.yaml; do basename "$f" .yaml; done)
mapfile -t pull_buckets < <(grep -ohE '^s3://mojap-[a-z0-9-]+' "$demo/files/objects-before.txt" | sed 's|^s3://||' | grep -vx "$export_bucket" | sort -u)
say "its files: ${earlier#"$repo"/}/push_datasets/ and pull_datasets/, with target_bucket and flags as one-item lists"

# ---------------------------------------------------------------- 4 build

step "Build the tool, the CDKTF app and the mover (go build; minutes on a first run)"
run "$demo/go-build.log" go build -o "$demo/exports" ./cmd/exports
run "$demo/go-build.log" go build -o "$demo/synth" .
run "$demo/go-build.log" go build -o "$demo/mover" ./functions/mover
say "${demo#"$repo"/}/exports, synth and mover"

# ---------------------------------------------------------------- 5-6 the pull request

step "Migrate the earlier tool's dataset files (exports migrate)"
# Exit 3: every file migrated, each push file waiting for one decision, the
# account that owns its recipient's bucket (the earlier tool never recorded
# it). The demo takes it as a data engineer would once the recipients have
# named their accounts: on moto, one account owns every bucket.
status=0
"$demo/exports" migrate --from "$earlier" --to "$datasets" >"$demo/migration.md" 2>"$demo/migrate.log" || status=$?
((status == 3)) || { cat "$demo/migrate.log" >&2; fail "migrate exited $status, not 3 (migrated, the recipients' accounts pending) (report: ${demo#"$repo"/}/migration.md)"; }
run "$demo/earlierestate.log" go run ./devtools/earlierestate -pin-accounts "$datasets"
"$demo/exports" validate >/dev/null || fail "validate refuses the migrated files"
say "$(find "$datasets" -name '*.yaml' | wc -l) dataset files in ${datasets#"$repo"/}, valid; the report for the pull request: ${demo#"$repo"/}/migration.md"

step "Adopt what exists (exports adopt): the imports file for the same pull request"
"$demo/exports" adopt >"$demo/adoption.md" 2>"$demo/adopt.log" ||
	{ cat "$demo/adopt.log" "$demo/adoption.md" >&2; fail "adopt wants something done before the switch, or failed (report: ${demo#"$repo"/}/adoption.md)"; }
say "$(cat "$demo/adopt.log")"
say "$(grep -c '^- to: ' "$datasets/imports.yaml") entries, e.g.:"
grep -A2 '^# role' "$datasets/imports.yaml" | head -n 3 | sed 's/^/          /'
changes=$(sed -n '/^### What the switch changes/,/^### /p' "$demo/adoption.md" | grep '^- ')
say "what the switch changes, $(wc -l <<<"$changes") items in the report (${demo#"$repo"/}/adoption.md), e.g.:"
head -n 2 <<<"$changes" | sed 's/^/          /'

# ---------------------------------------------------------------- 7-8 plan and gate

step "Synthesize the stack with the imports file, and plan"
CDKTF_OUTDIR=$outdir EXPORTS_STATE_PATH=$state run "$demo/synth.log" "$demo/synth"
say "$(grep -E '^with [0-9]+ import blocks' "$demo/synth.log")"
run "$demo/terraform-init.log" terraform -chdir="$stack" init -input=false -no-color
run "$demo/terraform-plan.log" terraform -chdir="$stack" plan -input=false -no-color -out=switch.tfplan
terraform -chdir="$stack" show -json switch.tfplan >"$demo/switch.plan.json"
say "$(grep -E '^Plan:' "$demo/terraform-plan.log")"

step "Read the plan as the deploy does: nothing holding data or identity is created, destroyed or replaced"
# Every bucket and role is adopted in place, but the stack's own access-log
# bucket, which the earlier tool never had: the one bucket the switch creates.
not_adopted=$(json '"\n".join(sorted("%s %s" % (c["address"], "/".join(c["change"]["actions"])) for c in j["resource_changes"]
	if c["type"] in ("aws_s3_bucket", "aws_iam_role") and c["address"] != "aws_s3_bucket.shared-access_log_bucket"
	and (c["change"].get("importing") is None or not set(c["change"]["actions"]) <= {"no-op", "update"})))' \
	<"$demo/switch.plan.json")
[[ -z $not_adopted ]] || fail "buckets or roles not adopted in place: $not_adopted"
say "every bucket and role is imported and at most updated in place: $(json 'str(sum(1 for c in j["resource_changes"] if c["type"] in ("aws_s3_bucket", "aws_iam_role")))' <"$demo/switch.plan.json") of them"
"$demo/exports" plan-summary --fail-on-data-risk "$demo/switch.plan.json" >"$demo/plan-summary.md" 2>"$demo/plan-summary.log" ||
	{ cat "$demo/plan-summary.log" >&2; fail "the deploy's gate refuses the plan (summary: ${demo#"$repo"/}/plan-summary.md)"; }
say "the gate (plan-summary --fail-on-data-risk) lets it through: $(grep -m 1 -E '^\*\*Datasets' "$demo/plan-summary.md")"
say "replaced, each an old grant deleted: $(json '", ".join(sorted({c["type"] for c in j["resource_changes"] if "delete" in c["change"]["actions"]}))' <"$demo/switch.plan.json")"

# ---------------------------------------------------------------- 9 apply

step "Apply the plan (what the deploy on merge does)"
run "$demo/terraform-apply.log" terraform -chdir="$stack" apply -input=false -no-color switch.tfplan
say "$(grep -E '^Apply complete!' "$demo/terraform-apply.log")"

# ---------------------------------------------------------------- 10 old grants

step "No grant of the earlier tool is left"
mapfile -t users < <(grep -ohE '\balpha_user_[a-z0-9_-]+' "$datasets"/push/*.yaml "$datasets"/pull/*.yaml | sort -u)
for user in "${users[@]}"; do
	policies=$(aws iam list-role-policies --role-name "$user" --query PolicyNames --output text)
	[[ " $policies " != *" hub_exports "* && " $policies " != *" hub-exports-pull-"* ]] || fail "$user still has an old policy: $policies"
done
say "users' roles (${#users[@]}): only data-engineering-exports-* policies, no hub_exports or hub-exports-pull-*"
for name in "${push_names[@]}"; do
	role=export_$name-move
	policies=$(aws iam list-role-policies --role-name "$role" --query PolicyNames --output text)
	attached=$(aws iam list-attached-role-policies --role-name "$role" --query 'AttachedPolicies[].PolicyName' --output text)
	[[ $policies == move && -z $attached ]] || fail "$role has inline policies '$policies' and managed policies '$attached'; want only move"
	say "$role: inline policy move only, no managed policy (s3-access and AWSLambdaBasicExecutionRole are gone)"
done

# ---------------------------------------------------------------- 11 data

step "Every object and every version is still there, byte for byte (bucket policies set aside: moto cannot evaluate their conditions)"
set_policies_aside "$export_bucket" "${pull_buckets[@]}"
: >"$demo/files/objects-after.txt"
for bucket in "$export_bucket" "${pull_buckets[@]}"; do
	aws s3api list-object-versions --bucket "$bucket" --output json |
		json '"".join(v["Key"] + "\t" + v["VersionId"] + "\n" for v in j.get("Versions", []))' |
		while IFS=$'\t' read -r key version; do
			aws s3api get-object --bucket "$bucket" --key "$key" --version-id "$version" "$demo/files/version" >/dev/null
			echo "s3://$bucket/$key $(sha256sum <"$demo/files/version" | cut -d' ' -f1)"
		done >>"$demo/files/objects-after.txt"
done
sort -o "$demo/files/objects-after.txt" "$demo/files/objects-after.txt"
diff "$demo/files/objects-before.txt" "$demo/files/objects-after.txt" >&2 || fail "objects changed in the switch (above: < before, > after)"
say "$(wc -l <"$demo/files/objects-after.txt") object versions in $((${#pull_buckets[@]} + 1)) buckets, the same SHA-256 as before the switch"

# ---------------------------------------------------------------- 12-13 movers

move_push=""
for name in "${push_names[@]}"; do
	[[ $(mover_env "export_$name-move") == *KEEP_FILES=true* ]] || { move_push=$name; break; }
done
[[ -n $move_push ]] || fail "the demo needs a push dataset without keep_files"
step "The adopted mover of $move_push delivers a new file"
deliver "$move_push"

step "Sweep what waited in the export bucket (mover --sweep, as the runbook says after the switch)"
for name in "${push_names[@]}"; do
	mapfile -t function_env < <(mover_env "export_$name-move")
	run "$demo/sweep-$name.log" env "${function_env[@]}" "$demo/mover" --sweep "s3://$export_bucket/$name/"
	say "s3://$export_bucket/$name/: $(grep '^{' "$demo/sweep-$name.log" | python3 -c 'import collections, json, sys
outcomes = collections.Counter(json.loads(line)["outcome"] for line in sys.stdin)
print(", ".join("%d %s" % (n, outcome) for outcome, n in sorted(outcomes.items())))')"
done
while read -r object sum; do
	key=${object#"s3://$export_bucket/"}
	[[ $key != "$object" ]] || continue
	name=${key%%/*}
	recipient=$(mover_env "export_$name-move" | sed -n 's/^DESTINATION_BUCKET=//p')
	aws s3api get-object --bucket "$recipient" --key "$key" "$demo/files/delivered" >/dev/null 2>&1 ||
		fail "s3://$recipient/$key did not arrive"
	[[ $(sha256sum <"$demo/files/delivered" | cut -d' ' -f1) == "$sum" ]] || fail "s3://$recipient/$key differs from what waited"
	say "arrived: s3://$recipient/$key, byte for byte"
done <"$demo/files/objects-before.txt"

# ---------------------------------------------------------------- 14 plan again

step "Put the bucket policies back, plan again (no changes), stop moto"
restore_policies
say "bucket policies restored"
plan_again "$stack"
say "the imports file can now go, in a later pull request: its import blocks do nothing once the resources are in the state"
demo_end
printf '\nmake demo-migration: the switch worked, in %d s.\n' "$SECONDS"
