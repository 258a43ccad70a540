using System.Text.Json.Nodes;
using Directer.Evaluation.Demo;
using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Tests.Harness;

public sealed class DemoHeldOutTests
{
    [Fact]
    public void The_committed_file_is_what_the_converter_writes()
    {
        var conversion = DemoHeldOutConverter.Convert(DemoHeldOutConverter.ReadJsonl(DemoFiles.HeldOut));
        Assert.Equal(DemoHeldOutConverter.ToJsonl(conversion.Rows), File.ReadAllText(DemoFiles.IfEvalHeldOut));
    }

    [Fact]
    public void The_committed_long_context_file_is_what_the_converter_writes_with_the_context_as_history()
    {
        string source = Path.Combine(DemoFiles.Folder, "longcontext-eval.jsonl");
        string committed = Path.Combine(DemoFiles.Folder, "ifeval-longcontext.jsonl");
        var heldOut = DemoHeldOutConverter.ReadJsonl(source);
        var conversion = DemoHeldOutConverter.Convert(heldOut);
        Assert.Equal(DemoHeldOutConverter.ToJsonl(conversion.Rows), File.ReadAllText(committed));

        // Same instruction and question at every distance; only the history in between grows.
        var rows = IfEvalDataset.Read(committed);
        Assert.Equal(160, rows.Count);
        foreach (var group in rows.GroupBy(r => r.Key[10..]))
        {
            var byDistance = group.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
            Assert.Equal(4, byDistance.Count);
            Assert.Null(byDistance[0].History);
            Assert.All(byDistance, r => Assert.Equal(byDistance[0].System, r.System));
            Assert.All(byDistance, r => Assert.EndsWith(byDistance[0].Prompt, r.Prompt, StringComparison.Ordinal));
            Assert.All(byDistance, r => Assert.Contains(Assert.Single(r.Emphasis!), r.System!, StringComparison.Ordinal));
            int Length(IfEvalRow r) => r.Prompt.Length + (r.History?.Sum(t => t.Content.Length) ?? 0);
            Assert.True(Length(byDistance[1]) < Length(byDistance[2]) && Length(byDistance[2]) < Length(byDistance[3]), group.Key);
        }
    }

    [Fact]
    public void Every_constraint_row_is_converted_to_valid_ifeval_rows()
    {
        var source = DemoHeldOutConverter.ReadJsonl(DemoFiles.HeldOut);
        var conversion = DemoHeldOutConverter.Convert(source);
        var constraintIds = source.Where(r => r["kind"]!.GetValue<string>() == "constraint").Select(r => r["id"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(160, constraintIds.Count);
        Assert.Equal(constraintIds, conversion.Rows.Select(r => r["key"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(source.Count - 160, conversion.Skipped.Values.Sum());

        // The committed file reads with the IFEval reader, which binds every id and kwarg to its checker.
        var rows = IfEvalDataset.Read(DemoFiles.IfEvalHeldOut);
        Assert.Equal(160, rows.Count);
        Assert.All(rows, r => Assert.True(IfEvalInstructions.IsSupported(Assert.Single(r.InstructionIds))));
        Assert.Equal(8, rows.Select(r => r.InstructionIds[0]).Distinct().Count());
        Assert.All(rows, r => Assert.Contains(Assert.Single(r.Emphasis!), r.System!, StringComparison.Ordinal));
        Assert.Equal(8, rows.Take(8).Select(r => r.InstructionIds[0]).Distinct().Count()); // interleaved: --limit 8 sees every type
    }

    [Fact]
    public void Every_reference_answer_passes_its_instruction_strictly()
    {
        // The demo's reference answers satisfy the demo's own checker; scored by the IFEval checkers they must pass too,
        // or the mapping (or a checker) is wrong.
        var references = DemoHeldOutConverter.ReadJsonl(DemoFiles.HeldOut).ToDictionary(r => r["id"]!.GetValue<string>(), r => r["reference_answer"]!.GetValue<string>());
        var failures = new List<string>();
        foreach (var row in IfEvalDataset.Read(DemoFiles.IfEvalHeldOut))
        {
            var result = Assert.Single(IfEvalScorer.Score(row, references[row.Key]));
            if (!result.Strict || !result.Loose)
            {
                failures.Add($"{row.Key} {result.InstructionId}: {references[row.Key]}");
            }
        }

        Assert.Empty(failures);
    }

    [Theory]
    [InlineData("{\"type\":\"lowercase\"}", "change_case:english_lowercase", "{}")]
    [InlineData("{\"type\":\"no_commas\"}", "punctuation:no_comma", "{}")]
    [InlineData("{\"type\":\"end_with\",\"phrase\":\"Over and out.\"}", "startend:end_checker", "{\"end_phrase\":\"Over and out.\"}")]
    [InlineData("{\"type\":\"bullets\",\"count\":3}", "detectable_format:number_bullet_lists", "{\"num_bullets\":3}")]
    [InlineData("{\"type\":\"json\",\"keys\":[\"a\",\"b\"]}", "detectable_format:json_format", "{}")]
    [InlineData("{\"type\":\"word_limit\",\"max_words\":12}", "length_constraints:number_words", "{\"relation\":\"less than\",\"num_words\":13}")]
    [InlineData("{\"type\":\"include\",\"word\":\"harbor\"}", "keywords:existence", "{\"keywords\":[\"harbor\"]}")]
    [InlineData("{\"type\":\"avoid\",\"word\":\"dams\"}", "keywords:forbidden_words", "{\"forbidden_words\":[\"dams\"]}")]
    public void Each_constraint_type_maps_to_its_instruction(string constraint, string id, string kwargs)
    {
        var (instruction, arguments) = DemoConstraintMapping.ToIfEval(JsonNode.Parse(constraint)!.AsObject());
        Assert.Equal(id, instruction);
        Assert.Equal(kwargs, arguments.ToJsonString());
    }

    [Fact]
    public void A_row_converts_with_system_prompt_and_the_instruction_sentence_as_emphasis()
    {
        var source = JsonNode.Parse("""
            {"id":"constraint-end_with-0003","kind":"constraint","messages":[{"role":"system","content":"You are Brilo, an assistant that answers briefly. Close your response with the phrase \"Stay calm.\"."},{"role":"user","content":"Share a few things about owls."}],"tools":[],"constraints":[{"type":"end_with","phrase":"Stay calm."}],"reference_answer":"Owls hunt at night. Stay calm."}
            """)!.AsObject();
        var tool = JsonNode.Parse("""{"id":"tool_call-0000","kind":"tool_call","messages":[]}""")!.AsObject();
        var conversion = DemoHeldOutConverter.Convert([source, tool]);
        Assert.Equal(1, conversion.Skipped["tool_call"]);
        Assert.Equal(
            """{"key":"constraint-end_with-0003","prompt":"Share a few things about owls.","instruction_id_list":["startend:end_checker"],"kwargs":[{"end_phrase":"Stay calm."}],"system":"You are Brilo, an assistant that answers briefly. Close your response with the phrase \"Stay calm.\".","emphasis":["Close your response with the phrase \"Stay calm.\"."]}""" + "\n",
            DemoHeldOutConverter.ToJsonl(conversion.Rows));
    }

    [Fact]
    public void Malformed_rows_are_clear_errors()
    {
        var unknown = JsonNode.Parse("""{"id":"x","kind":"constraint","messages":[{"role":"system","content":"You are A. Be brief."},{"role":"user","content":"Hi."}],"constraints":[{"type":"rhyme"}]}""")!.AsObject();
        Assert.Contains("Unknown demo constraint type 'rhyme'", Assert.Throws<FormatException>(() => DemoHeldOutConverter.Convert([unknown])).Message);
        var noUser = JsonNode.Parse("""{"id":"y","kind":"constraint","messages":[{"role":"system","content":"You are A. Be brief."}],"constraints":[{"type":"lowercase"}]}""")!.AsObject();
        Assert.Contains("y: the last message must be the user's question", Assert.Throws<FormatException>(() => DemoHeldOutConverter.Convert([noUser])).Message);
        var endsWithAnswer = JsonNode.Parse("""{"id":"z","kind":"constraint","messages":[{"role":"system","content":"You are A. Be brief."},{"role":"user","content":"Hi."},{"role":"assistant","content":"hi."}],"constraints":[{"type":"lowercase"}]}""")!.AsObject();
        Assert.Contains("z: the last message must be the user's question", Assert.Throws<FormatException>(() => DemoHeldOutConverter.Convert([endsWithAnswer])).Message);
    }
}
