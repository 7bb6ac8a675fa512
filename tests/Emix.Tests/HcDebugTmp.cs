namespace Emix.Tests;
public class HcDebugTmp
{
    [Fact]
    public void Dump()
    {
        foreach (var set in new[] { "diabetes", "thyroid", "faithful" })
        {
            var data = Emix.Data.CsvReader.Read(Fixtures.Path_($"mclust/{set}.csv"));
            var c = HierarchicalClustering.Compute(data, new HierarchicalInitOptions { Transform = HierarchicalTransform.Vars }, 0);
            File.WriteAllLines($"/tmp/hc_{set}_vars.txt", c.Merges.Select(m => $"{m.First + 1} {m.Second + 1}"));
        }
    }
}
