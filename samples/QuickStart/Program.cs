using Directer.SemanticKernel;   // DirecterPromptExecutionSettings
using Microsoft.SemanticKernel;  // AddDirecterChatCompletion
using Microsoft.SemanticKernel.ChatCompletion;

var builder = Kernel.CreateBuilder();
builder.AddDirecterChatCompletion("models/directer-demo");       // any supported checkpoint folder
// or a Hugging Face model id, downloaded once into the hub cache (~/.cache/huggingface/hub):
// builder.AddDirecterChatCompletion(o => o.ModelId = "Qwen/Qwen2.5-0.5B-Instruct");
builder.Plugins.AddFromType<InventoryPlugin>("inventory");
var kernel = builder.Build();

var settings = new DirecterPromptExecutionSettings
{
    FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(),
    EmphasizeSystemMessage = true,          // steer towards the system instructions (unset: the same, skipped where a template drops them)
    Emphasis = ["all lowercase"],           // and/or given strings; [[...]] markers in the system message too
    Steering = "directer",                  // the default; none, static, pasta, spotlight, instaboost
};
var history = new ChatHistory("Answer in all lowercase letters.");
history.AddUserMessage("How many blue widgets are in stock?");
var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(history, settings, kernel);
// reply.Metadata["Usage"] and reply.Metadata["directer.steering"] (a SteeringSummary)

// Not part of the README's snippet: show the answer (the test runs this program).
Console.WriteLine(reply.Content);
