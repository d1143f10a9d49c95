namespace SgNarrower.AwsApi
{
    /// <summary>How SgNarrower asks EC2 and S3 for many things: filters of at most 200 values, and every page of an answer.</summary>
    public static class Paging
    {
        /// <summary>EC2 takes at most 200 values in one filter (group-id, vpc-id, prefix-list-id).</summary>
        public const int MaxFilterValues = 200;

        /// <summary>The items in consecutive lists of at most <paramref name="size"/>.</summary>
        public static List<IReadOnlyList<string>> Chunk(IReadOnlyList<string> items, int size = MaxFilterValues)
        {
            var chunks = new List<IReadOnlyList<string>>();
            for (int i = 0; i < items.Count; i += size) chunks.Add(items.Skip(i).Take(size).ToList());
            return chunks;
        }

        /// <summary>Each page, asked for as it is needed: the first, then one per NextToken until there is none.</summary>
        public static IEnumerable<Page<T>> Pages<T>(Func<string?, Page<T>> fetch)
        {
            string? token = null;
            do
            {
                var page = fetch(token);
                yield return page;
                token = page.NextToken;
            } while (token != null);
        }

        /// <summary>Every item of every page, fetched as they are read (stop reading and no more pages are asked for).</summary>
        public static IEnumerable<T> All<T>(Func<string?, Page<T>> fetch) => Pages(fetch).SelectMany(p => p.Items);
    }
}
