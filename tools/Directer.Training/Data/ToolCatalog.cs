using System.Globalization;
using System.Text.Json.Nodes;

namespace Directer.Training.Data;

/// <summary>The tool archetypes the generator draws from.</summary>
internal static class ToolCatalog
{
    private static readonly string[] Subjects =
    [
        "Project update", "Lunch on Friday", "Team offsite", "Budget questions", "Weekly report", "Holiday plans",
        "Contract draft", "Meeting notes", "New schedule", "Quick question", "Launch checklist", "Travel receipts",
    ];

    private static readonly string[] EventTitles =
    [
        "Team sync", "Budget review", "Dentist appointment", "Yoga class", "Book club", "Design review",
        "Parent meeting", "Guitar lesson", "Car service", "Sprint planning", "Coffee with Sam", "Piano recital",
    ];

    private static readonly string[] Phrases =
    [
        "good morning", "thank you very much", "where is the station", "see you tomorrow", "I like this song",
        "the bill please", "how are you", "happy birthday", "good night", "I am lost", "one coffee please", "nice to meet you",
    ];

    private static readonly string[] PseudoProperties = ["status", "level", "count", "score", "owner", "color", "mode", "temperature"];

    public static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static object Person(SeededRandom r) => r.Pick(WordBanks.FirstNames) + " " + r.Pick(WordBanks.LastNames);

    private static object Email(SeededRandom r) => r.Pick(WordBanks.FirstNames).ToLowerInvariant() + "." + r.Pick(WordBanks.LastNames).ToLowerInvariant() + "@" + r.Pick(WordBanks.Domains);

    public static string Time(SeededRandom r) => r.Chance(0.5)
        ? Int(r.Range(6, 21)) + ":" + r.Pick(new[] { "00", "15", "30", "45" })
        : Int(r.Range(1, 11)) + " " + r.Pick(new[] { "am", "pm" });

    private static object Date(SeededRandom r) => r.Next(3) switch
    {
        0 => r.Pick(WordBanks.Weekdays),
        1 => r.Pick(WordBanks.Months) + " " + Int(r.Range(1, 28)),
        _ => "2026-" + Int(r.Range(1, 12)).PadLeft(2, '0') + "-" + Int(r.Range(1, 28)).PadLeft(2, '0'),
    };

    private static double Money(SeededRandom r, int maxWhole) => r.Range(100, maxWhole * 100) / 100.0;

    private static string PseudoValue(SeededRandom r, string property) => property switch
    {
        "status" => r.Pick(new[] { "active", "idle", "offline", "charging", "paused", "ready" }),
        "mode" => r.Pick(new[] { "eco", "turbo", "silent", "manual", "auto", "night" }),
        "owner" => (string)Person(r),
        "color" => r.Pick(WordBanks.Colors),
        _ => Int(r.Range(0, 999)),
    };

    public static readonly ToolArchetype[] All =
    [
        new()
        {
            Id = "weather",
            Verbs = ["get", "fetch", "check", "lookup"],
            Nouns = ["weather", "forecast", "current_weather", "weather_report"],
            Descriptions = ["Get the current weather for a city.", "Returns today's forecast for a location.", "Looks up the weather in a given place."],
            Slots =
            [
                new("city", ["city", "location", "city_name", "place", "town"], "string", ["City name", "The city to look up", "Name of the place"], r => r.Pick(WordBanks.Cities)),
                new("unit", ["unit", "units", "temp_unit"], "string", ["Temperature unit", "Unit for the temperature"], r => r.Pick(new[] { "celsius", "fahrenheit" }), Required: false, Enum: ["celsius", "fahrenheit"]),
            ],
            TrainRequests = ["What's the weather in {city}?", "How is the weather in {city} today?", "Tell me the forecast for {city} in {unit}.", "Is it cold in {city} right now?", "Weather for {city} please, in {unit}."],
            MoreTrainRequests = ["Do I need an umbrella in {city} today?", "What are conditions in {city} right now?", "Get the weather for {city}.", "Give me the current temperature in {city} in {unit}.", "How warm is it in {city}?", "Forecast for {city}?", "Look up the weather in {city} for me.", "Is it raining in {city}?", "What temperature is it in {city}, in {unit}?", "Can you get the weather report for {city}?"],
            EvalRequests = ["I'm heading to {city} later. What is the weather like there?", "Could you check today's forecast for {city} in {unit}?"],
            Result = (r, v) => new JsonObject { ["city"] = v["city"], ["temperature"] = r.Range(-10, 38), ["condition"] = r.Pick(WordBanks.Weather) },
            Answers = ["It is {r.temperature} degrees and {r.condition} in {city}.", "The weather in {city} is {r.condition} at {r.temperature} degrees.", "{city} is {r.condition} right now, with {r.temperature} degrees."],
            KeyResultFields = ["temperature", "condition"],
        },
        new()
        {
            Id = "stock",
            Verbs = ["get", "fetch", "lookup", "quote"],
            Nouns = ["stock_price", "share_price", "ticker_quote", "stock_quote"],
            Descriptions = ["Get the latest price of a stock.", "Returns the current share price for a ticker symbol."],
            Slots = [new("symbol", ["symbol", "ticker", "stock_symbol"], "string", ["Ticker symbol", "The stock ticker"], r => WordBanks.Ticker(r))],
            TrainRequests = ["What is the stock price of {symbol}?", "How much is one share of {symbol} now?", "Get me a quote for {symbol}.", "Price check on {symbol} please."],
            MoreTrainRequests = ["Show me the current price of {symbol} stock.", "How is {symbol} doing on the market?", "Look up the share price of {symbol}.", "What does {symbol} cost per share?", "Stock quote for {symbol}, please.", "Can you fetch the ticker {symbol}?", "Where is {symbol} priced right now?", "Tell me the market price of {symbol}.", "I'd like a quote on {symbol}."],
            EvalRequests = ["What's {symbol} trading at today?", "I need the latest share price for {symbol}."],
            Result = (r, v) => new JsonObject { ["symbol"] = v["symbol"], ["price"] = Money(r, 900) },
            Answers = ["{symbol} is trading at {r.price}.", "One share of {symbol} costs {r.price} right now.", "The latest price for {symbol} is {r.price}."],
            KeyResultFields = ["price"],
        },
        new()
        {
            Id = "email",
            Verbs = ["send", "compose", "write"],
            Nouns = ["email", "mail", "message"],
            Descriptions = ["Send an email to a recipient.", "Sends a short email message.", "Delivers an email with a subject line."],
            Slots =
            [
                new("to", ["to", "recipient", "email", "address"], "string", ["Recipient email address", "Who receives the email"], Email),
                new("subject", ["subject", "title", "topic"], "string", ["Subject line", "The email subject"], r => r.Chance(0.7) ? r.Pick(Subjects) : WordBanks.Capitalize(r.Pick(WordBanks.Adjectives)) + " " + r.Pick(WordBanks.Nouns) + " plan"),
            ],
            TrainRequests = ["Send an email to {to} with the subject \"{subject}\".", "Email {to} about \"{subject}\".", "Write to {to}, subject \"{subject}\"."],
            MoreTrainRequests = ["Send {to} a message with the subject \"{subject}\".", "Shoot an email over to {to} about \"{subject}\".", "Compose an email to {to}, subject line \"{subject}\".", "Can you email {to}? Subject: \"{subject}\".", "Please send an email to {to} called \"{subject}\".", "I want to email {to} regarding \"{subject}\".", "Email {to} and put \"{subject}\" in the subject.", "Write an email for {to} with subject \"{subject}\"."],
            EvalRequests = ["Please drop a note to {to} titled \"{subject}\".", "Could you mail {to} with \"{subject}\" as the subject?"],
            Result = (r, v) => new JsonObject { ["status"] = "sent", ["message_id"] = WordBanks.Code(r) },
            Answers = ["Your email to {to} was sent. The message id is {r.message_id}.", "Done. The email about {subject} went out with id {r.message_id}.", "I sent the email to {to} (id {r.message_id})."],
            KeyResultFields = ["message_id"],
        },
        new()
        {
            Id = "reminder",
            Verbs = ["create", "set", "add"],
            Nouns = ["reminder", "todo", "task_reminder"],
            Descriptions = ["Create a reminder at a given time.", "Adds a to-do reminder.", "Schedules a reminder for the user."],
            Slots =
            [
                new("text", ["text", "task", "note", "title"], "string", ["What to be reminded of", "Reminder text"], r => r.Pick(WordBanks.TaskVerbs) + " " + r.Pick(WordBanks.TaskObjects)),
                new("time", ["time", "when", "at"], "string", ["When to remind", "Time of the reminder"], r => Time(r)),
            ],
            TrainRequests = ["Remind me to {text} at {time}.", "Set a reminder to {text} at {time}.", "At {time} remind me to {text}."],
            MoreTrainRequests = ["Don't let me forget to {text} at {time}.", "Can you remind me at {time} to {text}?", "I need a reminder at {time} to {text}.", "Make a reminder: {text}, {time}.", "Ping me at {time} to {text}.", "Add a reminder to {text} for {time}.", "Remind me at {time}: {text}.", "At {time} I need to {text}, please remind me."],
            EvalRequests = ["I have to {text} at {time}, can you make sure I remember?", "Please create a reminder for {time}: {text}."],
            Result = (r, v) => new JsonObject { ["reminder_id"] = r.Range(100, 9999), ["status"] = "scheduled" },
            Answers = ["I set reminder {r.reminder_id} to {text} at {time}.", "Reminder {r.reminder_id} is scheduled for {time}.", "Okay, I will remind you to {text} at {time}. The id is {r.reminder_id}."],
            KeyResultFields = ["reminder_id"],
        },
        new()
        {
            Id = "currency",
            Verbs = ["convert", "exchange"],
            Nouns = ["currency", "money", "amount"],
            Descriptions = ["Convert an amount between currencies.", "Returns the value of an amount in another currency."],
            Slots =
            [
                new("amount", ["amount", "value", "sum"], "number", ["Amount to convert", "How much money"], r => r.Range(5, 5000)),
                new("from", ["from_currency", "source", "base", "from"], "string", ["Currency code to convert from", "Source currency"], r => r.Pick(WordBanks.Currencies)),
                new("to", ["to_currency", "target", "quote", "to"], "string", ["Currency code to convert to", "Target currency"], r => r.Pick(WordBanks.Currencies)),
            ],
            TrainRequests = ["Convert {amount} {from} to {to}.", "How much is {amount} {from} in {to}?", "Change {amount} {from} into {to} for me."],
            MoreTrainRequests = ["What is {amount} {from} in {to}?", "Exchange {amount} {from} to {to}.", "Convert {amount} {from} into {to}, please.", "{amount} {from} to {to}?", "Please turn {amount} {from} into {to}.", "What's the rate for {amount} {from} in {to}?", "I want to change {amount} {from} to {to}.", "Could you convert {amount} {from} for me into {to}?"],
            EvalRequests = ["If I have {amount} {from}, how many {to} is that?", "What would {amount} {from} be worth in {to}?"],
            Result = (r, v) => new JsonObject { ["converted"] = Money(r, 9000), ["currency"] = v["to"] },
            Answers = ["{amount} {from} is about {r.converted} {to}.", "That comes to {r.converted} {to}.", "You would get {r.converted} {to} for {amount} {from}."],
            KeyResultFields = ["converted"],
        },
        new()
        {
            Id = "inventory",
            Verbs = ["check", "get", "lookup", "count"],
            Nouns = ["inventory", "stock_level", "stock", "item_count"],
            Descriptions = ["Check how many units of an item are in stock.", "Returns the inventory level of a product."],
            Slots =
            [
                new("item", ["item", "product", "item_name", "product_name"], "string", ["Name of the item", "Product to check"], r => r.Pick(WordBanks.Items)),
                new("warehouse", ["warehouse", "site", "store"], "string", ["Warehouse city", "Which warehouse"], r => r.Pick(WordBanks.Cities), Required: false),
            ],
            TrainRequests = ["How many units of {item} are in stock?", "Check the stock of {item} in the {warehouse} warehouse.", "Do we have any {item} left?", "Inventory count for {item} at {warehouse}, please."],
            MoreTrainRequests = ["How much {item} do we have in stock?", "Is {item} in stock at {warehouse}?", "What's the stock level of {item}?", "Count the {item} units at the {warehouse} warehouse.", "Are we out of {item}?", "Check inventory for {item}.", "How many {item} are left in {warehouse}?", "Stock check: {item}."],
            EvalRequests = ["Is there still some {item} in the inventory?", "Tell me how much {item} the {warehouse} site has."],
            Result = (r, v) => new JsonObject { ["item"] = v["item"], ["quantity"] = r.Range(0, 500) },
            Answers = ["There are {r.quantity} units of {item} in stock.", "We have {r.quantity} of {item} right now.", "The stock level for {item} is {r.quantity}."],
            KeyResultFields = ["quantity"],
        },
        new()
        {
            Id = "booking",
            Verbs = ["book", "reserve"],
            Nouns = ["table", "restaurant", "reservation"],
            Descriptions = ["Reserve a table at a restaurant.", "Books a restaurant table for a group."],
            Slots =
            [
                new("restaurant", ["restaurant", "venue", "place_name"], "string", ["Restaurant name", "Where to book"], r => r.Pick(WordBanks.Restaurants)),
                new("people", ["people", "guests", "party_size", "seats"], "integer", ["Number of guests", "How many people"], r => r.Range(1, 12)),
                new("time", ["time", "at", "hour"], "string", ["Reservation time", "When to book"], r => Time(r)),
            ],
            TrainRequests = ["Book a table at {restaurant} for {people} people at {time}.", "Reserve {restaurant} for {people} at {time}.", "Get us a table for {people} at {restaurant}, {time}."],
            MoreTrainRequests = ["I'd like a table for {people} at {restaurant}, {time}.", "Make a reservation at {restaurant} for {people} people, {time}.", "Please book {restaurant} at {time} for {people} guests.", "Table for {people} at {restaurant}, {time}, please.", "Can you get me a booking at {restaurant}, {people} people, {time}?", "Reserve a table for {people} at {time} at {restaurant}.", "We need seats for {people} at {restaurant} around {time}."],
            EvalRequests = ["Can you reserve {restaurant} for a party of {people} at {time}?", "We are {people} people and want to eat at {restaurant} at {time}."],
            Result = (r, v) => new JsonObject { ["confirmation"] = WordBanks.Code(r), ["status"] = "confirmed" },
            Answers = ["Your table at {restaurant} for {people} is confirmed. The code is {r.confirmation}.", "Booked {restaurant} at {time}. Confirmation {r.confirmation}.", "Done: {people} seats at {restaurant}, code {r.confirmation}."],
            KeyResultFields = ["confirmation"],
        },
        new()
        {
            Id = "calendar",
            Verbs = ["add", "create", "schedule"],
            Nouns = ["event", "meeting", "calendar_event", "appointment"],
            Descriptions = ["Add an event to the calendar.", "Creates a calendar entry on a date."],
            Slots =
            [
                new("title", ["title", "name", "summary"], "string", ["Event title", "What the event is"], r => r.Chance(0.7) ? r.Pick(EventTitles) : WordBanks.Capitalize(r.Pick(WordBanks.Adjectives)) + " " + r.Pick(WordBanks.Nouns) + " meetup"),
                new("date", ["date", "day", "on"], "string", ["Date of the event", "Which day"], Date),
            ],
            TrainRequests = ["Add {title} to my calendar on {date}.", "Schedule {title} for {date}.", "Put {title} on {date} in my calendar."],
            MoreTrainRequests = ["Create an event called {title} on {date}.", "Block {date} for {title}.", "Can you add {title} on {date} to my schedule?", "New calendar entry: {title}, {date}.", "Please schedule {title} on {date}.", "Make a calendar event {title} for {date}.", "I have {title} on {date}, add it to the calendar."],
            EvalRequests = ["Please put {title} in my calendar for {date}.", "I need {title} booked in my agenda on {date}."],
            Result = (r, v) => new JsonObject { ["event_id"] = WordBanks.Code(r), ["status"] = "created" },
            Answers = ["{title} is on your calendar for {date} as event {r.event_id}.", "I added {title} on {date}. The event id is {r.event_id}.", "Scheduled: {title}, {date} (id {r.event_id})."],
            KeyResultFields = ["event_id"],
        },
        new()
        {
            Id = "add",
            Verbs = ["add", "sum", "calc"],
            Nouns = ["numbers", "values", "sum", "total"],
            Descriptions = ["Add two numbers.", "Returns the sum of two integers.", "Calculator: addition."],
            LinkedNames = true,
            Slots =
            [
                new("a", ["a", "x", "first", "num1", "left"], "integer", ["First number", "The first value"], r => r.Range(0, 999)),
                new("b", ["b", "y", "second", "num2", "right"], "integer", ["Second number", "The second value"], r => r.Range(0, 999)),
            ],
            TrainRequests = ["What is {a} plus {b}?", "Add {a} and {b}.", "Calculate {a} + {b}.", "Sum up {a} and {b} for me."],
            MoreTrainRequests = ["What's {a} + {b}?", "Add up {a} and {b}.", "What does {a} plus {b} come to?", "Can you add {a} to {b}?", "Give me the total of {a} plus {b}.", "{a} plus {b} equals what?", "Work out {a} + {b} for me."],
            EvalRequests = ["Please compute the sum of {a} and {b}.", "How much do {a} and {b} make together?"],
            Result = (r, v) => new JsonObject { ["result"] = int.Parse(v["a"], CultureInfo.InvariantCulture) + int.Parse(v["b"], CultureInfo.InvariantCulture) },
            Answers = ["{a} plus {b} is {r.result}.", "The sum is {r.result}.", "{a} + {b} = {r.result}."],
            KeyResultFields = ["result"],
        },
        new()
        {
            Id = "multiply",
            Verbs = ["multiply", "times", "product"],
            Nouns = ["numbers", "values", "ints"],
            Descriptions = ["Multiply two numbers.", "Returns the product of two integers.", "Calculator: multiplication."],
            LinkedNames = true,
            Slots =
            [
                new("a", ["a", "x", "first", "num1", "left"], "integer", ["First factor", "The first value"], r => r.Range(2, 99)),
                new("b", ["b", "y", "second", "num2", "right"], "integer", ["Second factor", "The second value"], r => r.Range(2, 99)),
            ],
            TrainRequests = ["What is {a} times {b}?", "Multiply {a} by {b}.", "Calculate {a} * {b}.", "What do you get when you multiply {a} and {b}?"],
            MoreTrainRequests = ["What's {a} x {b}?", "Multiply {a} and {b} for me.", "Times {a} by {b}, please.", "Can you multiply {a} by {b}?", "{a} times {b} is what?", "Work out {a} * {b}.", "I need {a} times {b}."],
            EvalRequests = ["Please compute the product of {a} and {b}.", "How much is {a} multiplied by {b}?"],
            Result = (r, v) => new JsonObject { ["result"] = int.Parse(v["a"], CultureInfo.InvariantCulture) * int.Parse(v["b"], CultureInfo.InvariantCulture) },
            Answers = ["{a} times {b} is {r.result}.", "The product is {r.result}.", "{a} * {b} = {r.result}."],
            KeyResultFields = ["result"],
        },
        new()
        {
            Id = "translate",
            Verbs = ["translate"],
            Nouns = ["text", "phrase", "sentence"],
            Descriptions = ["Translate a short text into another language.", "Returns a translation of a phrase."],
            Slots =
            [
                new("text", ["text", "phrase", "source_text"], "string", ["Text to translate", "The phrase"], r => r.Pick(Phrases)),
                new("language", ["language", "target_language", "lang", "to_lang"], "string", ["Target language", "Language to translate into"], r => r.Pick(WordBanks.Languages)),
            ],
            TrainRequests = ["Translate \"{text}\" into {language}.", "How do I say \"{text}\" in {language}?", "Put \"{text}\" into {language} please."],
            MoreTrainRequests = ["Translate this into {language}: \"{text}\".", "Can you translate \"{text}\" to {language}?", "What's the {language} for \"{text}\"?", "Say \"{text}\" in {language}.", "Give me a {language} translation of \"{text}\".", "Render \"{text}\" in {language}, please."],
            EvalRequests = ["What is \"{text}\" in {language}?", "I need \"{text}\" translated to {language}."],
            Result = (r, v) => new JsonObject { ["translation"] = WordBanks.PseudoWord(r) + " " + WordBanks.PseudoWord(r) },
            Answers = ["In {language}, \"{text}\" is \"{r.translation}\".", "The {language} translation is \"{r.translation}\".", "You can say \"{r.translation}\"."],
            KeyResultFields = ["translation"],
        },
        new()
        {
            Id = "flights",
            Verbs = ["search", "find"],
            Nouns = ["flights", "flight", "trips"],
            Descriptions = ["Search flights between two cities.", "Finds available flights for a route."],
            Slots =
            [
                new("origin", ["origin", "from_city", "departure", "source_city"], "string", ["Departure city", "Where the trip starts"], r => r.Pick(WordBanks.Cities)),
                new("destination", ["destination", "to_city", "arrival", "target_city"], "string", ["Arrival city", "Where the trip ends"], r => r.Pick(WordBanks.Cities)),
                new("date", ["date", "day", "travel_date"], "string", ["Travel date", "Day of the flight"], Date, Required: false),
            ],
            TrainRequests = ["Find flights from {origin} to {destination} on {date}.", "Are there flights from {origin} to {destination}?", "Search a flight {origin} to {destination} for {date}."],
            MoreTrainRequests = ["Look for flights from {origin} to {destination}.", "I need a flight from {origin} to {destination} on {date}.", "Any flights {origin} to {destination} on {date}?", "Show me flights between {origin} and {destination}.", "Can you search for a plane from {origin} to {destination}?", "Flights to {destination} from {origin}, please."],
            EvalRequests = ["I want to fly from {origin} to {destination} on {date}. What is available?", "Which flights go from {origin} to {destination}?"],
            Result = (r, v) => new JsonObject { ["flight"] = WordBanks.Code(r), ["price"] = r.Range(49, 1500), ["departs"] = Time(r) },
            Answers = ["Flight {r.flight} leaves {origin} at {r.departs} and costs {r.price}.", "There is flight {r.flight} to {destination} at {r.departs} for {r.price}.", "I found {r.flight}, departing {r.departs}, price {r.price}."],
            KeyResultFields = ["flight", "price"],
        },
        new()
        {
            Id = "population",
            Verbs = ["get", "lookup"],
            Nouns = ["population", "country_population", "census"],
            Descriptions = ["Get the population of a country.", "Returns how many people live in a country."],
            Slots = [new("country", ["country", "nation", "country_name"], "string", ["Country name", "The country"], r => r.Pick(WordBanks.Countries))],
            TrainRequests = ["What is the population of {country}?", "How big is the population of {country}?", "Population of {country}?"],
            MoreTrainRequests = ["What's the population of {country} these days?", "Population count for {country}, please.", "Look up how many residents {country} has.", "How populous is {country}?", "Give me the population figure for {country}.", "How large is the population of {country}?"],
            EvalRequests = ["How many people live in {country}?", "Tell me the number of inhabitants of {country}."],
            Result = (r, v) => new JsonObject { ["country"] = v["country"], ["population"] = r.Range(1, 300) * 1000000 },
            Answers = ["{country} has about {r.population} people.", "The population of {country} is {r.population}.", "About {r.population} people live in {country}."],
            KeyResultFields = ["population"],
        },
        new()
        {
            Id = "timer",
            Verbs = ["set", "start"],
            Nouns = ["timer", "countdown"],
            Descriptions = ["Start a countdown timer.", "Sets a timer for some minutes."],
            Slots =
            [
                new("minutes", ["minutes", "duration", "mins", "length"], "integer", ["Length in minutes", "How many minutes"], r => r.Range(1, 90)),
                new("label", ["label", "name", "tag"], "string", ["Timer label", "Name for the timer"], r => r.Pick(WordBanks.Nouns), Required: false),
            ],
            TrainRequests = ["Set a timer for {minutes} minutes.", "Start a {minutes} minute timer called {label}.", "Timer, {minutes} minutes please."],
            MoreTrainRequests = ["Start a timer of {minutes} minutes.", "Can you set a {minutes} minute timer?", "Put a timer on for {minutes} minutes.", "Timer for {minutes} minutes named {label}.", "Give me {minutes} minutes on the clock.", "Ring me in {minutes} minutes.", "Set {minutes} minutes on a timer called {label}."],
            EvalRequests = ["I need a countdown of {minutes} minutes.", "Could you time {minutes} minutes for me and label it {label}?"],
            Result = (r, v) => new JsonObject { ["timer_id"] = r.Range(1, 99), ["ends_at"] = Time(r) },
            Answers = ["Your {minutes} minute timer ends at {r.ends_at}.", "Timer {r.timer_id} is running until {r.ends_at}.", "Started. It will ring at {r.ends_at}."],
            KeyResultFields = ["ends_at"],
        },
        new()
        {
            Id = "order",
            Verbs = ["order", "buy", "purchase"],
            Nouns = ["item", "product", "supplies"],
            Descriptions = ["Order an item from the shop.", "Places a purchase order."],
            Slots =
            [
                new("item", ["item", "product", "article"], "string", ["What to order", "Item name"], r => r.Pick(WordBanks.Items)),
                new("quantity", ["quantity", "count", "qty", "amount"], "integer", ["How many", "Number of units"], r => r.Range(1, 40)),
            ],
            TrainRequests = ["Order {quantity} units of {item}.", "Buy {quantity} of the {item} for me.", "Please purchase {quantity} {item} units."],
            MoreTrainRequests = ["I'd like to buy {quantity} {item}.", "Order me {quantity} of {item}.", "Please order {quantity} {item} units for the office.", "Pick up {quantity} units of {item} from the shop.", "Purchase {item}, quantity {quantity}.", "Can you place an order for {quantity} {item}?", "We need {quantity} more {item}, order them please."],
            EvalRequests = ["Can you get me {quantity} pieces of {item}?", "I would like to order the {item}, {quantity} of them."],
            Result = (r, v) => new JsonObject { ["order_id"] = WordBanks.Code(r), ["total"] = r.Range(5, 2000) },
            Answers = ["I ordered {quantity} units of {item}. The order id is {r.order_id}.", "Order {r.order_id} is placed. The total is {r.total}.", "Done: {quantity} of {item} for {r.total}, order {r.order_id}."],
            KeyResultFields = ["order_id"],
        },
        new()
        {
            Id = "contact",
            Verbs = ["find", "get", "lookup"],
            Nouns = ["contact", "phone_number", "phone"],
            Descriptions = ["Find a person's phone number.", "Looks up contact details by name."],
            Slots = [new("name", ["name", "person", "contact_name", "full_name"], "string", ["Full name", "Who to look up"], Person)],
            TrainRequests = ["What is {name}'s phone number?", "Find the contact details for {name}.", "Look up {name} in my contacts."],
            MoreTrainRequests = ["Get me the number for {name}.", "How do I contact {name}?", "Show {name}'s contact info.", "Search my contacts for {name}.", "What's the phone number of {name}?", "I'm looking for {name}'s number.", "Give me {name}'s phone."],
            EvalRequests = ["I need to call {name}. What is their number?", "How can I reach {name} by phone?"],
            Result = (r, v) => new JsonObject { ["name"] = v["name"], ["phone"] = "555-" + Int(r.Range(1000, 9999)) },
            Answers = ["{name} can be reached at {r.phone}.", "The number for {name} is {r.phone}.", "You can call {name} on {r.phone}."],
            KeyResultFields = ["phone"],
        },
        new()
        {
            Id = "music",
            Verbs = ["play", "queue", "start"],
            Nouns = ["song", "music", "track"],
            Descriptions = ["Play a song.", "Starts playing a track by title."],
            Slots =
            [
                new("song", ["song", "title", "track"], "string", ["Song title", "What to play"], r => r.Pick(WordBanks.Songs)),
                new("artist", ["artist", "performer", "band"], "string", ["Artist name", "Who performs it"], Person, Required: false),
            ],
            TrainRequests = ["Play {song}.", "Play {song} by {artist}.", "Put on {song} please.", "I want to hear {song} by {artist}."],
            MoreTrainRequests = ["Play the song {song}.", "Can you play {song} by {artist}?", "Queue up {song}.", "Stream {song} by {artist}.", "Put {song} on for me.", "Go ahead and play {song} by {artist}.", "Music please: {song}."],
            EvalRequests = ["Could you start the track {song}?", "Let's listen to {song} from {artist}."],
            Result = (r, v) => new JsonObject { ["status"] = "playing", ["duration"] = Int(r.Range(2, 6)) + ":" + Int(r.Range(10, 59)) },
            Answers = ["Now playing {song}. It runs {r.duration}.", "{song} is playing ({r.duration}).", "Playing {song} now, length {r.duration}."],
            KeyResultFields = ["duration"],
        },
        new()
        {
            Id = "madeup",
            Repeatable = true,
            Variables = r => new Dictionary<string, string> { ["thing"] = WordBanks.PseudoWord(r), ["prop"] = r.Pick(PseudoProperties) },
            Verbs = ["get", "check", "read", "query", "fetch"],
            Nouns = ["{thing}_{prop}", "{prop}_of_{thing}", "{thing}_info"],
            Descriptions = ["Returns the {prop} of a {thing} unit.", "Looks up the current {prop} of a {thing}.", "Reads {thing} data: {prop}."],
            Slots = [new("id", ["{thing}_id", "unit_id", "id", "code"], "string", ["Identifier of the {thing}", "The {thing} code"], r => WordBanks.Code(r))],
            TrainRequests = ["What is the {prop} of {thing} {id}?", "Check the {prop} for {thing} unit {id}.", "Give me the {prop} of the {thing} with id {id}.", "{thing} {id}: what is its {prop}?"],
            MoreTrainRequests = ["Read the {prop} of {thing} {id}.", "What's the {prop} on {thing} {id} right now?", "Look up {thing} {id} and tell me its {prop}.", "Report the {prop} of the {thing} {id}.", "{prop} of {thing} {id}?", "Fetch the {prop} for the {thing} {id}."],
            EvalRequests = ["I need the current {prop} of the {thing} with code {id}.", "Could you find out the {prop} of {thing} {id}?"],
            Result = (r, v) => new JsonObject { ["id"] = v["id"], [v["prop"]] = PseudoValue(r, v["prop"]) },
            Answers = ["The {prop} of {thing} {id} is {r.value}.", "{thing} {id} has {prop} {r.value}.", "It reports {prop} {r.value}."],
            KeyResultFields = ["{prop}"],
        },
    ];
}
