"""Tags of every resource, from the Resource Groups Tagging API: one paginated GetResources per region.

The answer is a list of (ARN, tags) rows. They become tag rows (inventory.TAG_ROW records), which the
inventory merges into the record a collector made for the same ARN and drops when no collector made one,
so the tagging API never invents a resource. Collectors therefore make no per-resource tag calls.

What the API does and does not cover, by AWS's documentation:
- It lists only resources that are (or once were) tagged: a resource without a row has no tags.
- In a region it lists that region's resources; an S3 bucket is listed in its own region (buckets in
  regions this scan does not cover keep their s3:GetBucketTagging call, see collectors/s3.py).
- Global CloudFront distributions are listed in us-east-1 (inventory.TAGS_REGION_OF_GLOBAL_TYPES). When
  us-east-1 is not scanned, the first scanned region's job reads them there.
- IAM users and roles are not covered (collectors/iam.py reads their tags).

A failed call is one error for its region: the evaluator makes hygiene ERROR for every resource of that
region (and CloudFront's, for us-east-1), never a pass on half the fields.
"""

from checks.collectors.base import Collected, pages, tags_dict
from checks.inventory import GLOBAL_TAGS_REGION, TAG_ROW, TAGGING_API, Record

SERVICE = "resourcegroupstaggingapi"
SCOPE = "regional"
IAM_ACTIONS = {"GetResources": "tag:GetResources"}
PER_PAGE = 100  # the most GetResources returns in one page
GLOBAL_TYPE_FILTERS = ["cloudfront:distribution"]


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    read_tags(ctx, region, collected)
    if region == ctx.regions[0] and GLOBAL_TAGS_REGION not in ctx.regions:
        read_tags(ctx, GLOBAL_TAGS_REGION, collected, ResourceTypeFilters=GLOBAL_TYPE_FILTERS)
    return collected


def read_tags(ctx, region, collected, **filters):
    client = ctx.client(SERVICE, region)
    rows = []
    with collected.capture(region=region, api=TAGGING_API):
        # Rows are kept only once every page is read: a half-read region is an error, not half its tags.
        rows = list(pages(client, "get_resources", "ResourceTagMappingList", ResourcesPerPage=PER_PAGE, **filters))
    for row in rows:
        collected.add(tag_row(row, region))


def tag_row(row, region):
    return Record(uid=row["ResourceARN"], type=TAG_ROW, region=region, name="", tags=tags_dict(row.get("Tags")))
