namespace Directer.Training.Data;

/// <summary>A subject the user can ask about and short sentences the assistant may answer with.</summary>
internal sealed record Topic(string Name, IReadOnlyList<string> Facts);

/// <summary>The bank of topics and facts used for instruction-following conversations.</summary>
internal static class TopicFacts
{
    public static readonly Topic[] All =
    [
        new("bees", ["Bees make honey from flower nectar.", "A hive can hold thousands of bees.", "Bees dance to share where food is.", "Most bees are female workers.", "Bees help plants grow fruit by carrying pollen.", "A queen bee can lay many eggs each day."]),
        new("the moon", ["The moon orbits the Earth once a month.", "Its surface is covered in dust and craters.", "The moon has no air to breathe.", "Tides on Earth follow the pull of the moon.", "People first walked on the moon in 1969.", "The moon always shows us the same face."]),
        new("volcanoes", ["Volcanoes release hot melted rock called lava.", "Some volcanoes sleep for centuries, then wake up.", "Ash from an eruption can travel far.", "Many islands were built by volcanoes.", "Volcanic soil is often very rich.", "Iceland has many active volcanoes."]),
        new("coffee", ["Coffee is made from roasted beans.", "The plant grows best in warm, wet hills.", "Coffee contains caffeine, which keeps people awake.", "Brazil grows more coffee than any other country.", "Espresso is brewed with hot water under pressure.", "Many people drink coffee every morning."]),
        new("owls", ["Owls hunt mostly at night.", "They can turn their heads very far.", "Soft feathers let owls fly almost silently.", "Owls swallow small prey whole.", "Their large eyes see well in the dark.", "Some owls live in deserts, others in snowy forests."]),
        new("rain", ["Rain forms when water vapor cools into drops.", "Clouds hold tiny droplets that join together.", "Rain fills rivers, lakes and wells.", "Some deserts see rain only once a year.", "A rainbow appears when sunlight meets raindrops.", "Heavy rain can cause floods."]),
        new("chess", ["Chess is played on a board with 64 squares.", "Each player starts with sixteen pieces.", "The goal is to checkmate the other king.", "The queen is the strongest piece.", "Chess games can last minutes or hours.", "Computers now beat the best human players."]),
        new("bicycles", ["A bicycle has two wheels and pedals.", "Cycling is a quiet, clean way to travel.", "Gears make it easier to climb hills.", "Many cities build lanes for bikes.", "The chain moves power from the pedals to the wheel.", "Riders should wear a helmet."]),
        new("the ocean", ["The ocean covers most of the planet.", "Its water is salty.", "Whales, sharks and tiny plankton live there.", "The deepest parts are dark and cold.", "Ocean currents move heat around the world.", "Waves are mostly made by the wind."]),
        new("bread", ["Bread is baked from flour, water and yeast.", "Yeast makes the dough rise.", "Some breads are flat and need no yeast.", "Fresh bread has a crisp crust.", "People have baked bread for thousands of years.", "Whole grain bread keeps more fiber."]),
        new("penguins", ["Penguins are birds that cannot fly.", "They swim fast using their flippers.", "Most penguins live in the southern half of the world.", "Thick feathers keep them warm.", "Penguins often huddle together in the cold.", "They eat fish, squid and krill."]),
        new("trains", ["Trains run on steel rails.", "Some trains travel faster than 300 kilometers an hour.", "Freight trains carry goods across long distances.", "Early trains were pulled by steam engines.", "Many modern trains use electric power.", "Trains can move many people at once."]),
        new("gardens", ["A garden needs sunlight, water and good soil.", "Compost feeds the soil.", "Some plants bloom in spring, others in autumn.", "Weeds compete with plants for water.", "Bees and butterflies visit flowering gardens.", "Vegetables can grow in small pots."]),
        new("the sun", ["The sun is a star at the center of our solar system.", "It is made mostly of hydrogen and helium.", "Sunlight takes about eight minutes to reach Earth.", "The sun gives plants the energy to grow.", "Its surface is extremely hot.", "The sun will shine for billions of years."]),
        new("music", ["Music is sound arranged in time.", "Rhythm gives music its beat.", "A melody is a line of notes.", "People sing, drum and play strings all over the world.", "Music can change how we feel.", "Some songs are passed down for centuries."]),
        new("sleep", ["Sleep helps the body and brain recover.", "Adults usually need seven to nine hours.", "Dreams happen mostly during deep sleep stages.", "Screens before bed can make sleep harder.", "A dark, cool room helps people rest.", "Children need more sleep than adults."]),
        new("deserts", ["Deserts get very little rain.", "Days can be hot, but nights turn cold.", "Cactus plants store water in their stems.", "Some deserts are rocky, others sandy.", "Camels can travel days without drinking.", "The largest hot desert is the Sahara."]),
        new("maps", ["Maps show places from above.", "A compass rose shows north.", "A scale turns map distance into real distance.", "Old maps were drawn by hand.", "Digital maps update traffic in real time.", "Contour lines show hills and valleys."]),
        new("tea", ["Tea is made by soaking leaves in hot water.", "Green tea and black tea come from the same plant.", "China and India grow a lot of tea.", "Some teas are made from herbs, not tea leaves.", "Tea has less caffeine than coffee.", "Many cultures share tea with guests."]),
        new("robots", ["Robots are machines that follow programs.", "Factories use robots to build cars.", "Some robots explore other planets.", "Sensors help robots sense the world.", "Robot vacuums clean floors on their own.", "Engineers test robots many times."]),
        new("forests", ["Forests are home to many animals.", "Trees make oxygen from sunlight.", "Rainforests are warm and very wet.", "Some forests lose their leaves in autumn.", "Roots hold the soil in place.", "Forests store a lot of carbon."]),
        new("the piano", ["A piano has 88 keys.", "Hammers strike strings inside the piano.", "Pianists use both hands at once.", "The pedals change how long notes ring.", "The piano can play soft or loud.", "Many composers wrote music for the piano."]),
        new("snow", ["Snow forms when water freezes high in clouds.", "Every snowflake has six sides.", "Fresh snow is mostly air.", "Snow reflects much of the sunlight.", "Mountains can keep snow all year.", "Children like to build snowmen."]),
        new("honey", ["Honey is made by bees from nectar.", "It can last for a very long time.", "Honey tastes different from each flower.", "People use honey in tea and baking.", "Raw honey may look cloudy.", "Honey was found in ancient tombs."]),
        new("cats", ["Cats sleep for most of the day.", "They clean themselves with their tongues.", "Cats purr when they feel calm.", "Whiskers help cats judge small spaces.", "A cat can jump many times its height.", "Cats were kept in ancient Egypt."]),
        new("clouds", ["Clouds are made of tiny water drops or ice.", "Fluffy clouds are called cumulus.", "Thin high clouds are called cirrus.", "Dark clouds often bring rain.", "Fog is a cloud near the ground.", "Clouds can shade the land and cool it."]),
        new("libraries", ["Libraries lend books for free.", "Many libraries also lend music and films.", "Librarians help people find information.", "Quiet rooms let people read and study.", "Some libraries are hundreds of years old.", "Cards let members borrow items."]),
        new("rivers", ["Rivers carry water from hills to the sea.", "The Nile is one of the longest rivers.", "Rivers shape valleys over time.", "Many cities grew beside rivers.", "Fish swim upstream to lay eggs.", "Dams hold back river water."]),
        new("stars", ["Stars are huge balls of hot gas.", "Their light can take years to reach us.", "Some stars are much larger than the sun.", "Stars form inside clouds of dust.", "Sailors once steered by the stars.", "On clear nights thousands of stars are visible."]),
        new("apples", ["Apples grow on trees in orchards.", "There are thousands of apple kinds.", "Apples can be red, green or yellow.", "People bake apples into pies.", "An apple tree blooms in spring.", "Apples keep well in a cool place."]),
        new("kites", ["A kite flies on the wind.", "A long string keeps it connected to the flyer.", "Kites were first made long ago in China.", "Tails help kites stay steady.", "Some festivals fill the sky with kites.", "Light wind is best for small kites."]),
        new("dolphins", ["Dolphins are mammals that live in water.", "They breathe air through a blowhole.", "Dolphins use clicks to find food.", "They live and hunt in groups.", "Dolphins are known to be playful.", "A baby dolphin is called a calf."]),
    ];

    /// <summary>Ways of linking a random word into an answer (the include-keyword constraint).</summary>
    public static readonly string[] KeywordSentences =
    [
        "It also makes me think of the word {w}.",
        "Here is your word: {w}.",
        "A fitting word for this is {w}.",
        "Think of a {w} as well.",
    ];
}
