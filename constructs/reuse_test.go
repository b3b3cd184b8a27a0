// Package constructs_test shows that PushExport and PullExport are
// constructs another CDKTF Go app can reuse: a stack of its own, with its
// own provider, queue and names, places them, uses them as scopes for its
// own resources, and synthesizes.
package constructs_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketmetric"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueue"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/ministryofjustice/data-engineering-exports/constructs/pullexport"
	"github.com/ministryofjustice/data-engineering-exports/constructs/pushexport"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/synthtest"
)

func TestMain(m *testing.M) { synthtest.Main(m) }

// resource is a synthesized resource with the construct path CDKTF records.
type resource map[string]any

func (r resource) path() string {
	meta, _ := r["//"].(map[string]any)["metadata"].(map[string]any)
	path, _ := meta["path"].(string)
	return path
}

func TestAnotherAppReusesTheConstructs(t *testing.T) {
	outdir := t.TempDir()
	app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(outdir), StackTraces: jsii.Bool(false)})
	stack := cdktf.NewTerraformStack(app, jsii.String("partner_feeds"))
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{Region: jsii.String("eu-west-2")})
	deadLetters := sqsqueue.NewSqsQueue(stack, jsii.String("dead_letters"), &sqsqueue.SqsQueueConfig{Name: jsii.String("partner-feeds-dead-letters")})
	deadLetters.OverrideLogicalId(jsii.String("dead_letters"))

	push := pushexport.NewPushExport(stack, "weekly", &pushexport.PushExportProps{
		Dataset:             datasets.Push{Name: "weekly_returns", Bucket: "partner-landing", BucketAccount: "345678901234", Users: []string{"alpha_user_sam"}},
		ExportBucket:        "partner-feeds-outbox",
		AccountID:           jsii.String("210987654321"),
		FailedMovesQueueARN: deadLetters.Arn(),
		Code:                pushexport.Code{Path: jsii.String("lambda/mover.zip"), SHA256: pushexport.SourceCodeHash([]byte("mover"))},
	})
	// The constructs are scopes: the app hangs its own resources off them.
	errors := cloudwatchmetricalarm.NewCloudwatchMetricAlarm(push, jsii.String("errors"), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		AlarmName:          jsii.String("weekly-returns-mover-errors"),
		Namespace:          jsii.String("AWS/Lambda"),
		MetricName:         jsii.String("Errors"),
		Dimensions:         &map[string]*string{"FunctionName": push.Function().FunctionName()},
		Statistic:          jsii.String("Sum"),
		Period:             jsii.Number(300),
		EvaluationPeriods:  jsii.Number(1),
		Threshold:          jsii.Number(0),
		ComparisonOperator: jsii.String("GreaterThanThreshold"),
		DependsOn:          &[]cdktf.ITerraformDependable{push.LogGroup(), push.Permission()},
	})
	errors.OverrideLogicalId(jsii.String("weekly_errors"))

	pull := pullexport.NewPullExport(stack, "listings", &pullexport.PullExportProps{Dataset: datasets.Pull{
		Name: "court_listings", PullARNs: []string{"arn:aws:iam::111122223333:role/listings-reader"}, Users: []string{"alpha_user_sam"},
	}})
	// Request metrics, say (not a lifecycle: the bucket has its one
	// lifecycle configuration already).
	metrics := s3bucketmetric.NewS3BucketMetric(pull, jsii.String("metrics"), &s3bucketmetric.S3BucketMetricConfig{
		Bucket:    pull.Bucket().Id(),
		Name:      jsii.String("EntireBucket"),
		DependsOn: &[]cdktf.ITerraformDependable{pull.Policy()},
	})
	metrics.OverrideLogicalId(jsii.String("listings_metrics"))

	for _, c := range []constructs.Construct{push, pull} {
		if !*constructs.Construct_IsConstruct(c) {
			t.Errorf("%s is not a construct", *c.Node().Path())
		}
	}
	app.Synth()

	data, err := os.ReadFile(filepath.Join(outdir, "stacks", "partner_feeds", "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tf struct {
		Provider map[string][]map[string]any    `json:"provider"`
		Resource map[string]map[string]resource `json:"resource"`
	}
	if err := json.Unmarshal(data, &tf); err != nil {
		t.Fatal(err)
	}
	if region := tf.Provider["aws"][0]["region"]; region != "eu-west-2" {
		t.Errorf("provider region %v, want the app's own eu-west-2", region)
	}
	get := func(resourceType, logicalID string) resource {
		r, ok := tf.Resource[resourceType][logicalID]
		if !ok {
			t.Fatalf("no %s.%s in %s", resourceType, logicalID, data)
		}
		return r
	}

	function := get("aws_lambda_function", "push-weekly_returns-function")
	if function["function_name"] != "export_weekly_returns-move" || function["filename"] != "lambda/mover.zip" {
		t.Errorf("function %v", function)
	}
	if env := function["environment"].(map[string]any)["variables"].(map[string]any); env["DESTINATION_BUCKET"] != "partner-landing" ||
		env["DESTINATION_ACCOUNT"] != "345678901234" || env["SOURCE_ACCOUNT"] != "210987654321" {
		t.Errorf("function environment %v", env)
	}
	invoke := get("aws_lambda_function_event_invoke_config", "push-weekly_returns-invoke_config")
	if got := invoke["destination_config"].(map[string]any)["on_failure"].(map[string]any)["destination"]; got != "${aws_sqs_queue.dead_letters.arn}" {
		t.Errorf("failed events go to %v, want the app's own queue", got)
	}
	permission := get("aws_lambda_permission", "push-weekly_returns-permission")
	if permission["source_arn"] != "arn:aws:s3:::partner-feeds-outbox" || permission["source_account"] != "210987654321" {
		t.Errorf("invoke permission %v", permission)
	}

	alarm := get("aws_cloudwatch_metric_alarm", "weekly_errors")
	if got := alarm.path(); got != "partner_feeds/weekly/errors" {
		t.Errorf("alarm made in the PushExport is at %q, want partner_feeds/weekly/errors", got)
	}
	if got := alarm["dimensions"].(map[string]any)["FunctionName"]; got != "${aws_lambda_function.push-weekly_returns-function.function_name}" {
		t.Errorf("alarm watches %v", got)
	}
	if got := mustJSON(t, alarm["depends_on"]); got != `["aws_cloudwatch_log_group.push-weekly_returns-log_group","aws_lambda_permission.push-weekly_returns-permission"]` {
		t.Errorf("alarm depends on %s, want the mover's log group and permission", got)
	}

	bucket := get("aws_s3_bucket", "pull-court_listings-bucket")
	if bucket["bucket"] != "mojap-court-listings" || bucket.path() != "partner_feeds/listings/bucket" {
		t.Errorf("pull bucket %v at %q", bucket["bucket"], bucket.path())
	}
	get("aws_s3_bucket_policy", "pull-court_listings-bucket_policy")
	metric := get("aws_s3_bucket_metric", "listings_metrics")
	if metric.path() != "partner_feeds/listings/metrics" || metric["bucket"] != "${aws_s3_bucket.pull-court_listings-bucket.id}" {
		t.Errorf("metrics made in the PullExport: at %q on %v", metric.path(), metric["bucket"])
	}
	if got := mustJSON(t, metric["depends_on"]); got != `["aws_s3_bucket_policy.pull-court_listings-bucket_policy"]` {
		t.Errorf("metrics depend on %s, want the pull bucket's policy", got)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
