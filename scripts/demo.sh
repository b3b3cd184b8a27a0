#!/usr/bin/env bash
# make demo: the whole product working on a fresh clone, with no AWS account.
#
# It starts the moto AWS emulator on 127.0.0.1, stands in for what exists
# outside this stack (the analysts' alpha_user_* roles, the recipients'
# buckets), then validates, synthesizes, applies with Terraform, pushes a file
# as an analyst would, delivers it with the mover configured exactly as the
# deployed function is, reads a pull bucket and plans again expecting no
# changes. Everything it writes lives under build/demo (git-ignored); its
# Terraform state is removed and moto stopped however it ends.
set -euo pipefail
shopt -s nullglob

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

demo=$repo/build/demo
demo_name="make demo"
outdir=$demo/cdktf.out
stack=$outdir/stacks/exports
state=$demo/state/demo.tfstate
# The invented example datasets: datasets/ holds only what production deploys.
export DATASETS_DIR=${DATASETS_DIR:-examples/datasets}
total_steps=12
# shellcheck source=scripts/lib.sh
source "$repo/scripts/lib.sh"
demo_begin

echo "make demo: data-engineering-exports end to end against the moto AWS emulator (no AWS account used)"

# ---------------------------------------------------------------- 1 tools

step "Check the tools (go, terraform, node, moto_server, aws, python3)"
check_tools

# ---------------------------------------------------------------- 2 moto

step "Start moto_server on a free 127.0.0.1 port"
# shellcheck disable=SC2119 # no extra environment for moto here
start_moto

# ---------------------------------------------------------------- 3 outside world

step "Stand in for what already exists outside this stack: the users' roles and the recipients' buckets"
push_files=("$DATASETS_DIR"/push/*.yaml)
pull_files=("$DATASETS_DIR"/pull/*.yaml)
((${#push_files[@]} && ${#pull_files[@]})) || fail "the demo needs at least one push and one pull dataset under $DATASETS_DIR/"
mapfile -t users < <(grep -ohE '\balpha_user_[A-Za-z0-9_-]+' "${push_files[@]}" "${pull_files[@]}" | sort -u)
trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.example"},"Action":"sts:AssumeRoleWithWebIdentity"}]}'
for user in "${users[@]}"; do
	run "$demo/aws.log" aws iam create-role --role-name "$user" --assume-role-policy-document "$trust"
done
say "Analytical Platform user roles: ${users[*]}"
mapfile -t recipients < <(sed -nE 's/^bucket:[[:space:]]*["'"'"']?([^"'"'"'#[:space:]]+).*/\1/p' "${push_files[@]}" | sort -u)
for bucket in "${recipients[@]}"; do
	run "$demo/aws.log" aws s3api create-bucket --bucket "$bucket" --create-bucket-configuration "LocationConstraint=$region"
done
say "recipient buckets (in other accounts for real): ${recipients[*]}"

# ---------------------------------------------------------------- 4 validate

step "Build the two programs (go build; minutes on a first run) and validate the dataset files"
run "$demo/go-build.log" go build -o "$demo/exports" ./cmd/exports
run "$demo/go-build.log" go build -o "$demo/synth" .
"$demo/exports" validate || fail "the dataset files are invalid: fix what is listed above"
say "${#push_files[@]} push and ${#pull_files[@]} pull datasets are valid"

# ---------------------------------------------------------------- 5 synth

step "Synthesize the stack to Terraform JSON (provider pointed at moto)"
CDKTF_OUTDIR=$outdir EXPORTS_STATE_PATH=$state run "$demo/synth.log" "$demo/synth"
[[ -f $stack/cdk.tf.json ]] || fail "synthesis wrote no ${stack#"$repo"/}/cdk.tf.json (log: build/demo/synth.log)"
resources=$(json 'sum(len(v) for v in j.get("resource", {}).values())' <"$stack/cdk.tf.json")
say "${stack#"$repo"/}/cdk.tf.json: $resources resources, plain Terraform JSON; state goes to ${state#"$repo"/}"

# ---------------------------------------------------------------- 6 apply

step "terraform init and apply"
run "$demo/terraform-init.log" terraform -chdir="$stack" init -input=false -no-color
run "$demo/terraform-apply.log" terraform -chdir="$stack" apply -input=false -no-color -auto-approve
say "$(grep -E '^Apply complete!' "$demo/terraform-apply.log")"
outputs=$(terraform -chdir="$stack" output -json)
say "outputs:"
terraform -chdir="$stack" output -no-color | sed 's/^/          /'

# ---------------------------------------------------------------- 7-9 push

step "Build the mover; set the bucket policies aside (moto cannot evaluate their conditions)"
run "$demo/go-build.log" go build -o "$demo/mover" ./functions/mover
say "${demo#"$repo"/}/mover built from ./functions/mover: moto cannot run Lambda, so the demo runs it as S3 would"
pull=$(basename "${pull_files[0]}" .yaml)
pull_bucket=$(json 'j["pull_bucket_names"]["value"][a[0]]' "$pull" <<<"$outputs") ||
	fail "the output pull_bucket_names has no entry for $pull"
set_policies_aside "$export_bucket" "$pull_bucket"
say "bucket policies of ${policies_aside[*]} saved in ${demo#"$repo"/}/files and removed until the final plan"

mapfile -t keep_files < <(grep -lE '^keep_files:[[:space:]]*true' "${push_files[@]}")
move_push=""
for f in "${push_files[@]}"; do
	[[ " ${keep_files[*]} " == *" $f "* ]] || { move_push=$(basename "$f" .yaml); break; }
done
[[ -n $move_push ]] || fail "the demo needs a push dataset without keep_files: true"
step "Push dataset $move_push: push a file and deliver it"
deliver "$move_push"

if ((${#keep_files[@]})); then
	keep_push=$(basename "${keep_files[0]}" .yaml)
	step "Push dataset $keep_push (keep_files: true): push a file and deliver it"
	deliver "$keep_push"
else
	step "Push dataset with keep_files: true: none among the datasets, nothing to show"
fi

# ---------------------------------------------------------------- 10 pull

step "Pull dataset $pull: write, list and read its bucket"
file=$demo/files/$pull.csv
printf 'case_id,office\n1,Leeds\n2,Cardiff\n' >"$file"
run "$demo/aws.log" aws s3 cp "$file" "s3://$pull_bucket/latest/$pull.csv"
say "put:  s3://$pull_bucket/latest/$pull.csv"
say "list: $(aws s3 ls "s3://$pull_bucket/latest/")"
aws s3 cp "s3://$pull_bucket/latest/$pull.csv" - | cmp -s - "$file" || fail "reading s3://$pull_bucket/latest/$pull.csv gave other bytes"
say "get:  the same bytes back"
principals=$(json '" ".join(sorted({p
	for s in j["Statement"] if s["Effect"] == "Allow" and isinstance(s.get("Principal"), dict)
	for p in ([s["Principal"]["AWS"]] if isinstance(s["Principal"]["AWS"], str) else s["Principal"]["AWS"])}))' <"$demo/files/$pull_bucket.policy.json")
say "its bucket policy lets these outside roles read it: $principals"

# ---------------------------------------------------------------- 11 plan

step "Put the bucket policies back and plan again: the deployed stack must match the code"
restore_policies
say "bucket policies restored"
plan_again "$stack"

# ---------------------------------------------------------------- 12 clean up

step "Stop moto and remove the demo state"
demo_end
printf '\nmake demo: everything worked, in %d s.\n' "$SECONDS"
