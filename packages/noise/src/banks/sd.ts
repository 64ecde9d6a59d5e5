/**
 * Semantic distraction (SD): a sentence on the question's topic that changes nothing in it.
 *
 * Bank: 33 topics plus `general`, 624 sentences. Every sentence is a generic statement about the
 * world ("Many bakeries start preparing dough well before sunrise."), never about the problem's
 * own things or people: it does not start with "The", "A" or "An" and has no pronoun or
 * possessive, no proper name, no digit, no number word, no quantity, size, speed, age, time or
 * money word (more, each, per, small, hour, price, ...) and no color. Each is one line ending in
 * ".", unique across the bank (all checked in test/sd-bank.test.ts).
 *
 * Topic rule (`scoreTopics`, `sdTopicOf`):
 * 1. The question is split into lower-case words; stop words and proper names (capitalised words
 *    inside a sentence: "Rose", "Penny") are dropped, "$" reads as "dollar".
 * 2. Each word is reduced to its base forms: plurals, "-ed", "-ing", irregular pasts ("bought" ->
 *    buy, "shopping" -> shop, "cookies" -> cookie; "care" stays care, not car).
 * 3. A topic scores the weights of its distinct keywords found: strong, topic-specific words 3
 *    (cashier, bakery, tractor), other words 2 (egg, market), weak generic words 1 (cost, pay, buy,
 *    old), the weak ones adding at most 2 in all. A keyword counts once however often it occurs.
 * 4. The highest score wins, ties going to the earlier topic in `SD_TOPICS`; a question with no
 *    keyword at all is `general` (`SD_DEFAULT`). Generic money words are the weak words of
 *    `money`, so a store, a food or a shoe outweighs any number of prices, and a question that
 *    only speaks of dollars is `money`.
 *
 * Choice (`makeSdSentence`): uniform from the topic's sentences, leaving out those that share a
 * content word with the question's names, so no sentence on roses lands beside a girl called Rose.
 *
 * Measured on GSM8K (test 1,319 / train 7,473 problems): `general` 1.0% / 1.5%; the largest
 * topics food 7.0%, school 6.9%, money 5.1% (test) and school 6.9%, food 6.1%, money 4.7% (train).
 * With uniform seeded draws (seeds 1-5) no sentence is used more than 10 times in the test set
 * (0.8%) nor 31 times in the train set (0.4%).
 *
 * | topic | strong keywords (3), e.g. | other (2) | weak (1, at most 2 in all) | sentences |
 * | --- | --- | --- | --- | --- |
 * | farm | farm, farmer, barn, cow | egg, milk | feed, animal | 20 |
 * | fruit | apple, banana, grape, strawberry | fruit, orange | basket, pick | 20 |
 * | garden | garden, gardener, flower, rose | plant, tree | yard | 20 |
 * | pets | pet, dog, puppy, cat | fish, bird | walk, feed | 18 |
 * | wildlife | zoo, lion, tiger, elephant | animal, leg | - | 18 |
 * | water | ocean, beach, sea, lake | fish, pool | - | 18 |
 * | outdoors | camp, camper, tent, hike | park, picnic | outside, tree | 16 |
 * | baking | bake, baker, bakery, oven | recipe, batch | cup, egg | 18 |
 * | sweets | candy, chocolate, lollipop, gum | sugar, cream | jar, ice | 16 |
 * | drinks | coffee, tea, juice, soda | drink, bottle | cup, water | 15 |
 * | food | restaurant, pizza, burger, hamburger | food, eat | order | 24 |
 * | clothes | shirt, tshirt, dress, shoe | wear, craft | pair | 19 |
 * | arts | art, artist, painting, draw | paint, color | - | 18 |
 * | media | movie, film, theater, cinema | show, video | - | 15 |
 * | games | toy, marble, puzzle, doll | game, play | - | 18 |
 * | tech | phone, smartphone, computer, laptop | screen, video | - | 17 |
 * | sports | team, player, soccer, basketball | game, ball | play, throw | 20 |
 * | fitness | runner, jog, jogger, exercise | run, walk | weight | 16 |
 * | health | doctor, hospital, nurse, medicine | sleep, health | weight, weigh | 16 |
 * | party | party, birthday, guest, gift | present, event | - | 18 |
 * | building | build, builder, construction, brick | wood, board | project | 16 |
 * | home | house, room, bedroom, bathroom | clean, wash | - | 18 |
 * | school | school, student, class, classroom | test, study | - | 24 |
 * | reading | book, read, reader, page | write, word | print | 20 |
 * | driving | car, drive, driver, road | mile, speed | distance | 18 |
 * | travel | travel, trip, vacation, flight | ticket, bus | visit | 16 |
 * | shipping | crate, package, parcel, delivery | box, pack | - | 14 |
 * | work | job, salary, wage, paycheck | work, earn | - | 20 |
 * | community | city, town, population, street | park, neighbor | - | 16 |
 * | weather | rain, snow, weather, storm | hot, cold | - | 14 |
 * | shopping | store, shop, cashier, customer | sale, discount | purchase, item | 22 |
 * | family | family | brother, sister | old, child | 22 |
 * | money | bank, loan, interest, allowance | - | money, save | 22 |
 * | general (`SD_DEFAULT`) | no keyword found | | | 22 |
 */
import type { Problem, Rng } from '@exp/data';
import {
  bestWeightedTopic,
  contentForms,
  formsShareWord,
  properNames,
  scoreWeightedTopics,
  type ScoringOptions,
  type TopicScore,
  type WeightedTopic,
} from '../text/topics.js';

export interface SdTopicSpec {
  name: string;
  /** Topic-specific keywords in base form (singular, plain verb), weight 3: "cashier", "bakery". */
  strong: readonly string[];
  /** Keywords the topic shares with others, weight 2: "egg", "market". */
  words: readonly string[];
  /** Generic keywords, weight 1, together at most `SD_SCORING.weakCap`: "cost", "buy". */
  weak: readonly string[];
  /** Generic statements on the topic (see the module comment). */
  sentences: readonly string[];
}

/** Keyword weights of the three tiers of `SdTopicSpec`. */
export const SD_WEIGHTS = { strong: 3, words: 2, weak: 1 } as const;

/** Weak keywords add at most 2; any keyword (score 1) selects a topic. */
export const SD_SCORING: Readonly<Required<ScoringOptions>> = { weakCap: 2, minScore: 1 };

/** The topic name of questions that match no topic (their sentences are `SD_DEFAULT`). */
export const SD_GENERAL = 'general';

/** A keyword list written as space-separated words. */
function kw(...lines: string[]): readonly string[] {
  return lines.join(' ').split(' ');
}

export const SD_TOPICS: readonly SdTopicSpec[] = [
  {
    name: 'farm',
    strong: kw(
      'farm farmer barn cow chicken hen rooster goat sheep pig piglet horse pony duck',
      'duckling cattle tractor ranch rancher livestock hay wool calf lamb acre',
      'hectare pasture herd ox donkey mule goose turkey silo coop dairy wheat barley',
      'oat',
    ),
    words: kw('egg milk crop harvest field land grain corn'),
    weak: kw('feed animal'),
    sentences: [
      'Many farms keep a dog to help watch over the animals.',
      'Roosters are known for crowing loudly at sunrise.',
      'Barns are a familiar sight along country roads.',
      'Goats are curious animals and enjoy climbing on rocks.',
      'Farmers often check the weather forecast before planning chores.',
      'Sheep tend to stay close together in a flock.',
      'Hay is usually stored in dry lofts away from moisture.',
      'Tractors can be heard rumbling across the fields at harvest time.',
      'Ducks have waterproof feathers and glide easily across ponds.',
      'Pigs enjoy rolling in mud to stay cool in warm weather.',
      'Country lanes near farms are often lined with wooden fences.',
      'Cows like to graze on fresh grass in open pastures.',
      'Horses can sleep while standing up.',
      'Chickens like to scratch at the ground in search of bugs.',
      'Many farmhouses have a porch facing the fields.',
      'Country air often smells of grass and hay.',
      'Farm cats often roam the barns in search of mice.',
      'Weather vanes on barn roofs show which way the wind blows.',
      'Many farm families rise at dawn to tend to the animals.',
      'Fields of wheat ripple like waves in a breeze.',
    ],
  },
  {
    name: 'fruit',
    strong: kw(
      'apple banana grape strawberry peach pear watermelon lemon cherry mango',
      'pineapple plum blueberry raspberry orchard coconut kiwi melon avocado lime',
      'berry pomelo apricot papaya cantaloupe grapefruit tangerine blackberry fig',
    ),
    words: kw('fruit orange'),
    weak: kw('basket pick ripe'),
    sentences: [
      'Ripe bananas develop freckles on the peel.',
      'Apple orchards are covered in blossoms before the fruit appears.',
      'Lemons add a sour, bright taste to many dishes.',
      'Strawberries carry seeds on the outside of the fruit.',
      'Watermelons are a popular treat at summer picnics.',
      'Fresh juice is often squeezed from citrus fruit at breakfast.',
      'Grapes grow in clusters on climbing vines.',
      'Fruit stands are a common sight along rural roads.',
      'Many people enjoy mixing fresh fruit into a colorful salad.',
      'Peaches have soft, fuzzy skin.',
      'Pineapples grow from the center of a spiky plant.',
      'Cherries are often picked by hand to avoid bruising.',
      'Bright colors in fruit often signal ripeness.',
      'Mangoes are a beloved fruit in many tropical countries.',
      'Pears are often picked while still firm.',
      'Blueberries grow on low, bushy shrubs.',
      'Fruit baskets are a popular gift for friends and neighbors.',
      'Coconuts have a hard shell and sweet water inside.',
      'Citrus trees thrive in sunny, mild climates.',
      'Fruit bowls brighten many kitchen counters.',
    ],
  },
  {
    name: 'garden',
    strong: kw(
      'garden gardener flower rose tulip daisy sunflower lily seed seedling soil lawn',
      'weed mow shrub bush vegetable tomato carrot cucumber pepper lettuce potato',
      'pumpkin greenhouse compost carnation bouquet dandelion marigold petunia orchid',
      'daffodil zucchini cabbage broccoli spinach pea',
    ),
    words: kw('plant tree grow leaf pot bloom petal dig shovel backyard'),
    weak: kw('yard'),
    sentences: [
      'Gardens often buzz with bees in warm, sunny weather.',
      'Watering cans are a common sight beside flower beds.',
      'Rich, dark soil helps many plants thrive.',
      'Butterflies often visit brightly colored flowers.',
      'Scarecrows are sometimes placed in vegetable patches to keep birds away.',
      'Many gardeners keep a compost pile for kitchen scraps.',
      'Sunflowers tend to turn toward the sun.',
      'Tomato plants often need stakes to stand upright.',
      'Gardeners often wear gloves to protect against thorns.',
      'Fresh mulch helps garden soil hold moisture.',
      'Earthworms help keep garden soil loose and healthy.',
      'Roses come in a range of colors and scents.',
      'Garden paths are often lined with smooth stones.',
      'Dew often sparkles on garden leaves at dawn.',
      'Many gardeners enjoy trading seeds with neighbors.',
      'Greenhouses keep plants warm in chilly weather.',
      'Freshly cut grass has a distinctive smell.',
      'Herb gardens often include basil, mint, and parsley.',
      'Gardening is a relaxing hobby for many people.',
      'Pulling weeds is a common garden chore.',
    ],
  },
  {
    name: 'pets',
    strong: kw(
      'pet dog puppy cat kitten hamster parrot rabbit bunny vet veterinarian leash',
      'goldfish guinea collar kennel groomer gecko iguana',
    ),
    words: kw('fish bird cage aquarium'),
    weak: kw('walk feed treat'),
    sentences: [
      'Dogs often greet familiar people with wagging tails.',
      'Cats like to nap in sunny spots by the window.',
      'Many dogs enjoy chasing balls in open parks.',
      'Pet stores often carry colorful collars and leashes.',
      'Kittens are playful and curious about new objects.',
      'Veterinarians recommend regular checkups for pets.',
      'Hamsters like to run on exercise wheels.',
      'Parrots can learn to mimic sounds and words.',
      'Goldfish tanks often contain colorful pebbles and plants.',
      'Many pets have favorite toys for chewing.',
      'Rabbits have soft fur and twitching noses.',
      'Dog walks are a pleasant way to explore a neighborhood.',
      'Cats often purr when relaxed.',
      'Puppies need plenty of naps and gentle training.',
      'Pet beds come in many shapes and styles.',
      'Adopting pets from shelters is popular in many communities.',
      'Pet birds enjoy mirrors and bells to play with.',
      'Guinea pigs make squeaking sounds when excited.',
    ],
  },
  {
    name: 'wildlife',
    strong: kw(
      'zoo lion tiger elephant monkey bear giraffe zebra penguin snake frog toad',
      'lizard spider insect bee butterfly ant deer wolf fox squirrel owl turtle whale',
      'dolphin shark kangaroo crocodile alligator camel raccoon mosquito worm bat',
      'beetle ladybug caterpillar hippo rhino gorilla panda koala eagle hawk crab',
      'lobster seal octopus jellyfish albatross unicorn dragon bug',
    ),
    words: kw('animal leg wing wild nest'),
    weak: [],
    sentences: [
      'Zoos often have shaded areas where animals can relax.',
      'Elephants use trunks to drink and grab food.',
      'Giraffes can reach leaves high in the treetops.',
      'Penguins waddle on land but swim gracefully.',
      'Owls hunt quietly in the dark.',
      'Squirrels often bury nuts in the ground.',
      'Frogs are often heard croaking near ponds.',
      'Bees carry pollen from flower to flower.',
      'Butterflies begin life as caterpillars.',
      'Zebra stripes differ from animal to animal.',
      'Turtles carry a protective shell on the back.',
      'Many birds build nests from twigs and grass.',
      'Monkeys use tails to balance among branches.',
      'Wild animals are best observed from a safe distance.',
      'Foxes are known for bushy tails and sharp hearing.',
      'Lions often doze in the shade.',
      'Ants work together to carry food back to the colony.',
      'Dolphins communicate with clicks and whistles.',
    ],
  },
  {
    name: 'water',
    strong: kw(
      'ocean beach sea lake river pond swim swimmer boat sail sailboat fishing',
      'fisherman shell seashell wave island ship canoe kayak dock surf lighthouse',
      'harbor waterslide snorkel paddle',
    ),
    words: kw('fish pool sand water shore'),
    weak: [],
    sentences: [
      'Ocean waves can be heard well before the beach comes into view.',
      'Beaches tend to be lively in warm, sunny weather.',
      'Calm lakes can look like mirrors.',
      'Rivers shape the land gradually over time.',
      'Lifeguards keep watch from raised chairs at many pools.',
      'Seashells come in many shapes and colors.',
      'Sailboats rely on the wind to move across the water.',
      'Many anglers prefer quiet spots along the shore.',
      'Lighthouses guide ships safely along rocky coasts.',
      'Swimmers often wear goggles to see clearly underwater.',
      'Sand castles are a favorite beach activity for children.',
      'Ponds are home to frogs, fish, and dragonflies.',
      'Harbors are crowded with boats tied to wooden docks.',
      'Sea breezes keep coastal towns cool.',
      'Kayaks glide quietly over calm water.',
      'Clean water is important for fish and plants alike.',
      'Islands often have sandy beaches and clear water.',
      'Fishing trips often begin with checking the bait and tackle.',
    ],
  },
  {
    name: 'outdoors',
    strong: kw(
      'camp camper tent hike hiker trail mountain forest climb campfire woods',
      'backpack cabin canyon cave waterfall valley',
    ),
    words: kw('park picnic hill rock'),
    weak: kw('outside tree'),
    sentences: [
      'Hiking trails are often marked with colored signs.',
      'Campfires are a favorite place for telling stories.',
      'Tents come in many shapes for different camping trips.',
      'Forests are quiet places with towering trees and birdsong.',
      'Mountain air often feels crisp and fresh.',
      'Hikers usually pack water and snacks for the trail.',
      'Parks provide shady spots for picnics and games.',
      'Roasting marshmallows is a classic camping treat.',
      'Waterfalls attract many visitors to national parks.',
      'Trail maps help visitors find scenic viewpoints.',
      'Wooden cabins are popular places to stay in the woods.',
      'Many campers enjoy watching the stars far from city lights.',
      'Sturdy boots make rocky paths easier to walk.',
      'Pine forests have a fresh, woody scent.',
      'Picnic blankets are a common sight in city parks.',
      'Rock climbers rely on ropes and careful planning.',
    ],
  },
  {
    name: 'baking',
    strong: kw(
      'bake baker bakery oven flour dough cake cupcake cookie muffin brownie pie',
      'bread loaf pastry croissant donut doughnut frosting batter bagel cheesecake',
      'biscuit',
    ),
    words: kw('recipe batch sugar butter ingredient tray'),
    weak: kw('cup egg kitchen'),
    sentences: [
      'Many bakeries start preparing dough well before sunrise.',
      'Freshly baked bread fills a kitchen with a warm aroma.',
      'Bakers often sift flour for a lighter texture.',
      'Cookie dough is often chilled before baking.',
      'Cakes are frequently decorated with colorful frosting.',
      'Ovens are usually preheated before baking begins.',
      'Rolling pins are a handy tool for flattening dough.',
      'Many recipes call for butter at room temperature.',
      'Muffins are a popular choice for breakfast on the go.',
      'Pie crusts are often crimped by hand.',
      'Bakery windows often display rows of pastries.',
      'Cinnamon is a favorite spice in many baked goods.',
      'Cooling racks help baked goods cool evenly.',
      'Measuring cups and spoons help keep baking consistent.',
      'Bread dough rises best in a warm, sheltered spot.',
      'Cupcakes are a favorite treat at school events.',
      'Aprons help keep flour off clothes in the kitchen.',
      'Homemade cookies are a popular gift for neighbors.',
    ],
  },
  {
    name: 'sweets',
    strong: kw(
      'candy chocolate lollipop gum jellybean caramel dessert popsicle gumball',
      'marshmallow oreo toffee taffy fudge',
    ),
    words: kw('sugar cream cone jelly treat'),
    weak: kw('jar ice'),
    sentences: [
      'Candy shops often display treats in glass jars.',
      'Chocolate is made from roasted cocoa beans.',
      'Lollipops come in many bright colors and flavors.',
      'Ice cream is a favorite dessert in warm weather.',
      'Many desserts are topped with whipped cream.',
      'Caramel is made by gently heating sugar.',
      'Gumball machines are a familiar sight in arcades and diners.',
      'Sprinkles add color to cupcakes and ice cream cones.',
      'Dentists often remind children to brush after eating sweets.',
      'Cotton candy is a classic treat at fairs.',
      'Chocolate bars are often wrapped in foil and paper.',
      'Candy canes are a popular holiday treat.',
      'Fudge is a rich treat often made for holidays.',
      'Marshmallows are soft, fluffy, and sweet.',
      'Jelly beans come in a rainbow of flavors.',
      'Sweets are a traditional part of many celebrations.',
    ],
  },
  {
    name: 'drinks',
    strong: kw('coffee tea juice soda lemonade smoothie milkshake espresso latte'),
    words: kw('drink bottle glass'),
    weak: kw('cup water'),
    sentences: [
      'Coffee shops often fill the air with the smell of roasted beans.',
      'Lemonade is a refreshing drink in hot weather.',
      'Many people enjoy warm tea in chilly weather.',
      'Fresh juice is often served with breakfast.',
      'Smoothies are made by blending fruit with ice or yogurt.',
      'Sparkling water is a popular choice in cafes.',
      'Reusable bottles are popular with hikers and students.',
      'Iced tea is a favorite drink at summer picnics.',
      'Hot chocolate is often topped with marshmallows.',
      'Baristas often draw designs in milk foam.',
      'Soda fountains are a charming sight in classic diners.',
      'Drinking water helps people stay comfortable in the heat.',
      'Milkshakes are often served with a straw and a cherry on top.',
      'Tea leaves come from plants grown on hillsides.',
      'Glass pitchers are handy for serving cold drinks.',
    ],
  },
  {
    name: 'food',
    strong: kw(
      'restaurant pizza burger hamburger sandwich meal dinner lunch breakfast soup',
      'salad chef menu waiter waitress cafe fries taco pasta spaghetti steak cheese',
      'popcorn cereal noodle burrito hotdog sushi beef pork bacon sausage nut peanut',
      'onion garlic spice chip cookout barbecue grill fork spoon napkin plate bowl',
      'yogurt',
    ),
    words: kw('food eat cook kitchen slice serving chicken rice meat dish snack hungry', 'lobster'),
    weak: kw('order'),
    sentences: [
      'Restaurants often get busy around dinner time.',
      'Chefs taste dishes often while cooking.',
      'Fresh herbs add flavor to many meals.',
      'Pizza ovens can reach very high temperatures.',
      'Sandwiches are a common choice for packed lunches.',
      'Soup is a comforting meal in cold weather.',
      'Many families enjoy eating dinner together.',
      'Waiters often recommend dishes from the menu.',
      'Salads can include a variety of vegetables.',
      'Cooking at home can be a relaxing hobby.',
      'Breakfast is often called an important meal.',
      'Spices from around the world add variety to cooking.',
      'Cafes often have outdoor seating in pleasant weather.',
      'Grilled food has a smoky flavor.',
      'Many cooks keep a shelf of well-used cookbooks.',
      'Cheese comes in a variety of textures and flavors.',
      'Food trucks are a popular sight at festivals.',
      'Pasta can be shaped into ribbons, tubes, and spirals.',
      'Kitchen timers help cooks keep track of dishes.',
      'Rice is a staple food in many parts of the world.',
      'Popcorn is a classic snack at movie theaters.',
      'Picnic lunches often include sandwiches and fruit.',
      'Diners often have cozy booths by the windows.',
      'Many restaurants offer seasonal dishes.',
    ],
  },
  {
    name: 'clothes',
    strong: kw(
      'shirt tshirt dress shoe sock sweater jacket pants jeans clothes clothing',
      'fabric sew yarn knit scarf hat bead necklace bracelet button quilt thread',
      'jewelry earring robe glove coat boot skirt blouse belt uniform ribbon glue',
      'jewel gem diamond ruby emerald sapphire pearl tailor',
    ),
    words: kw('wear craft cloth fiber stitch'),
    weak: kw('pair'),
    sentences: [
      'Sweaters are often folded neatly on wooden shelves.',
      'Knitting needles click softly as yarn takes shape.',
      'Cotton shirts are comfortable in warm weather.',
      'Many people choose shoes for comfort as well as style.',
      'Scarves and hats are popular in cold weather.',
      'Sewing machines hum quietly in many craft rooms.',
      'Tailors can adjust clothes for a better fit.',
      'Beaded bracelets are a popular craft for children.',
      'Jeans are known for sturdy denim fabric.',
      'Buttons come in many shapes and colors.',
      'Fabric stores display bolts of colorful cloth.',
      'Jewelry boxes often have compartments for rings and necklaces.',
      'Quilts are often stitched from colorful patches of fabric.',
      'Wool socks are cozy in chilly weather.',
      'Raincoats help keep clothes dry in stormy weather.',
      'Craft fairs showcase handmade goods from local artists.',
      'Closets are often organized by color or season.',
      'Gemstones sparkle when light hits the surface.',
      'Glue and glitter are staples of many craft projects.',
    ],
  },
  {
    name: 'arts',
    strong: kw(
      'art artist painting draw drawing photo picture music song sing singer band',
      'guitar piano concert instrument dance dancer choir violin drum canvas',
      'sculpture musician album orchestra melody',
    ),
    words: kw('paint color museum record'),
    weak: [],
    sentences: [
      'Art museums often display paintings in quiet, bright halls.',
      'Musicians often practice scales to warm up.',
      'Many artists carry a sketchbook for drawing on the go.',
      'Concert halls are designed to carry sound clearly.',
      'Choirs blend many voices into rich harmonies.',
      'Pianos make sound when felt hammers strike strings.',
      'Painters often mix colors on a wooden palette.',
      'Dance studios usually have mirrors along the walls.',
      'Guitars can be played with fingers or a pick.',
      'Photographs help preserve memories of special events.',
      'Music can lift the mood of a room.',
      'Sculptures are made from stone, metal, wood, and clay.',
      'Drawing is a popular hobby for people at any stage of life.',
      'Marching bands often perform at parades.',
      'Watercolors create soft, blended colors on paper.',
      'Violins are often made from carefully carved wood.',
      'Colored pencils allow careful shading in drawings.',
      'Many songs tell stories about love and friendship.',
    ],
  },
  {
    name: 'media',
    strong: kw('movie film theater cinema episode television tv series dvd documentary cartoon'),
    words: kw('show video watch ticket channel'),
    weak: [],
    sentences: [
      'Movie theaters often dim the lights before the show begins.',
      'Popcorn smells drift through many cinema lobbies.',
      'Many viewers enjoy watching shows with friends and family.',
      'Cartoons are popular with children and adults alike.',
      'Documentaries explore topics from nature to history.',
      'Streaming services offer a range of shows.',
      'Film crews use many lights and cameras on set.',
      'Theater seats are often arranged in rising rows.',
      'Television remotes often have rubbery buttons.',
      'Video clips are a popular way to share news and ideas.',
      'Movie posters often feature bold colors and striking titles.',
      'Watching movies at home is a popular family pastime.',
      'Stage actors rehearse lines carefully before opening.',
      'Film music helps set the mood of a scene.',
      'Ticket booths are a familiar sight outside cinemas.',
    ],
  },
  {
    name: 'games',
    strong: kw(
      'toy marble puzzle doll lego dice chess card deck arcade kite collection',
      'collect stamp cube magnet yoyo treasure teddy Pokemon',
    ),
    words: kw('game play block sticker'),
    weak: [],
    sentences: [
      'Board games are a popular pastime with friends.',
      'Puzzles help build patience and focus.',
      'Toy stores often display new games near the entrance.',
      'Marbles come in swirled glass of many colors.',
      'Chess pieces are often carved from wood.',
      'Card games can be played almost anywhere.',
      'Kites need a steady breeze to fly well.',
      'Building blocks let children create towers and bridges.',
      'Collectors often keep stamps in special albums.',
      'Dolls and action figures are popular toys around the world.',
      'Video games often feature colorful worlds to explore.',
      'Jigsaw puzzlers often sort edge pieces before starting.',
      'Toy chests help keep playrooms tidy.',
      'Game gatherings bring friends and family together.',
      'Dice are used in many classic board games.',
      'Trading cards often show bright artwork and fun facts.',
      'Stuffed animals are favorite companions for many children.',
      'Arcades buzz with blinking lights and cheerful sounds.',
    ],
  },
  {
    name: 'tech',
    strong: kw(
      'phone smartphone computer laptop tablet internet email app website software',
      'battery printer online robot camera follower subscriber pixel monitor keyboard',
      'upload vlog blog charger gadget electric electricity watt Instagram Facebook',
      'Twitter YouTube',
    ),
    words: kw('screen video data file message text'),
    weak: [],
    sentences: [
      'Phone screens are protected by tough glass.',
      'Computers help people work, learn, and play.',
      'Laptops are popular with students and travelers.',
      'Tablets are often used for reading and drawing.',
      'Many apps send reminders and notifications.',
      'Email is a common way to send messages at work.',
      'Printers can produce photos as well as documents.',
      'Online videos teach a range of skills.',
      'Keyboards come in many layouts and styles.',
      'Phone cameras have become remarkably capable.',
      'Social media connects friends across great distances.',
      'Passwords help keep online accounts safe.',
      'Chargers are often plugged in beside the bed.',
      'Robots are used in factories and research labs.',
      'Websites often have pages of frequently asked questions.',
      'Headphones let people enjoy music without disturbing others.',
      'Electric lights changed the way people live and work.',
    ],
  },
  {
    name: 'sports',
    strong: kw(
      'team player soccer basketball baseball football tennis golf hockey volleyball',
      'tournament league coach athlete stadium referee bowling boxing wrestle',
      'cheerleader javelin Olympic Olympics medal trophy quarterback pitcher inning',
      'touchdown skateboard ski snowboard',
    ),
    words: kw('game ball point score win race match season goal'),
    weak: kw('play throw kick'),
    sentences: [
      'Crowds often cheer loudly for the home team.',
      'Coaches remind players to stretch before practice.',
      'Players often wear bright jerseys with names on the back.',
      'Soccer fields are usually covered in grass.',
      'Basketball hoops hang at the ends of the court.',
      'Referees use whistles to signal fouls.',
      'Fans often wear team colors to games.',
      'Baseball games often include snacks like peanuts and hot dogs.',
      'Tennis players need sharp reflexes.',
      'Team sports teach cooperation and communication.',
      'Stadium lights allow games to continue after sunset.',
      'Golf courses are known for rolling, grassy fairways.',
      'Athletes often follow careful training routines.',
      'Sports fans enjoy debating memorable plays.',
      'Hockey players glide across the ice on sharp skates.',
      'Trophies are often displayed in school hallways.',
      'Volleyball is a popular game on sandy beaches.',
      'Warm-up drills help prevent injuries.',
      'Football helmets protect players from hard hits.',
      'Bowling alleys echo with the sound of falling pins.',
    ],
  },
  {
    name: 'fitness',
    strong: kw(
      'runner jog jogger exercise gym workout pushup situp marathon bike bicycle',
      'cycling yoga lap sprint bench treadmill squat',
    ),
    words: kw('run walk jump step train'),
    weak: kw('weight'),
    sentences: [
      'Stretching before exercise helps muscles stay loose.',
      'Gyms often play upbeat music to keep energy high.',
      'Runners often wear lightweight shoes.',
      'Bike helmets are important for safety.',
      'Many people enjoy jogging in parks.',
      'Yoga focuses on balance, breathing, and flexibility.',
      'Drinking water is important during a workout.',
      'Marathon runners prepare with steady training.',
      'Cycling paths are popular in many cities.',
      'Jumping rope is a simple and fun exercise.',
      'Walking is a gentle way to stay active.',
      'Push-ups and sit-ups need no special equipment.',
      'Fitness trackers are popular with athletes and walkers.',
      'Treadmills let people run indoors in bad weather.',
      'Personal trainers help clients set workout goals.',
      'Sleep helps muscles recover after exercise.',
    ],
  },
  {
    name: 'health',
    strong: kw(
      'doctor hospital nurse medicine pill sick dentist tooth vitamin patient clinic',
      'virus vaccine flu fever sneeze cough mask blister heal injury pharmacy',
      'prescription illness disease infect surgery barber salon haircut',
    ),
    words: kw('sleep health hair calorie diet'),
    weak: kw('weight weigh tall height body'),
    sentences: [
      'Doctors often recommend plenty of sleep and water.',
      'Hospitals are busy places staffed by doctors and nurses.',
      'Nurses are known for caring and attentive work.',
      'Dentists remind patients to brush and floss regularly.',
      'Washing hands helps prevent the spread of germs.',
      'Fresh fruit and vegetables are part of a healthy diet.',
      'Clinic waiting rooms often have magazines to read.',
      'Vaccines help protect communities from disease.',
      'Pharmacists answer questions about medicines.',
      'Regular checkups help catch problems in time.',
      'Barbershops are often lively places for conversation.',
      'Good posture helps protect the back.',
      'Bandages are a staple of any medicine cabinet.',
      'Staying active helps keep hearts healthy.',
      'Many people feel better after a restful sleep.',
      'Sunscreen helps protect skin from sunburn.',
    ],
  },
  {
    name: 'party',
    strong: kw(
      'party birthday guest gift balloon wedding celebration celebrate invitation',
      'decoration festival holiday candle costume fundraiser anniversary carnival',
      'firework firecracker parade ornament Christmas Halloween Thanksgiving Easter',
      'Valentine',
    ),
    words: kw('present event invite fair'),
    weak: [],
    sentences: [
      'Party rooms are often decorated with colorful streamers.',
      'Balloons are a cheerful part of many celebrations.',
      'Birthday cakes are often topped with candles.',
      'Music often plays softly in the background as guests arrive.',
      'Handwritten invitations add a personal touch to any event.',
      'Party games keep children entertained.',
      'Gifts are often wrapped in bright paper and ribbons.',
      'Weddings are often held in gardens, halls, or churches.',
      'Holiday lights brighten many neighborhoods in winter.',
      'Festivals often feature food stands and live music.',
      'Costume parties encourage guests to get creative.',
      'Fireworks light up the sky during celebrations.',
      'Party hats and noisemakers add to the fun.',
      'Many families have special traditions for holidays.',
      'Photo booths are a popular feature at parties.',
      'Parades often include marching bands and decorated floats.',
      'Handwritten cards are a kind way to acknowledge gifts.',
      'Carnivals are known for bright lights and spinning rides.',
    ],
  },
  {
    name: 'building',
    strong: kw(
      'build builder construction brick lumber plank nail hammer fence tile roof deck',
      'carpenter concrete cement tool drill screw ladder bridge skyscraper wallpaper',
      'plumber',
    ),
    words: kw('wood board paint repair shelf log'),
    weak: kw('project'),
    sentences: [
      'Construction sites are often surrounded by safety fences.',
      'Builders wear hard hats to protect against falling objects.',
      'Carpenters measure carefully before cutting wood.',
      'Bricks are often made from baked clay.',
      'Fresh paint has a strong smell while drying.',
      'Hammers and nails are basic tools for woodwork.',
      'Many homeowners enjoy building projects as a hobby.',
      'Cranes lift steel beams on construction sites.',
      'Lumber mills smell of freshly cut pine.',
      'Wooden decks are popular for outdoor gatherings.',
      'Toolboxes keep tools organized and easy to find.',
      'Safety goggles protect eyes from dust and splinters.',
      'Roofers rely on sturdy ladders and harnesses.',
      'Concrete needs time to harden properly.',
      'Blueprints show how a building will fit together.',
      'Sanding gives wooden furniture a smooth finish.',
    ],
  },
  {
    name: 'home',
    strong: kw(
      'house room bedroom bathroom apartment furniture carpet couch sofa chair table',
      'bed laundry vacuum chore towel curtain rug mattress pillow blanket lamp drawer',
      'closet faucet cutlery silverware dishwasher fridge refrigerator soap toilet',
    ),
    words: kw('clean wash wall floor window door dish home garage'),
    weak: [],
    sentences: [
      'Many homes have a junk drawer of odds and ends.',
      'Living rooms are often the coziest place in a house.',
      'Laundry often smells fresh right out of the dryer.',
      'Houseplants brighten up many kitchens and windowsills.',
      'Vacuum cleaners are noisy but helpful household tools.',
      'Soft rugs make floors warmer underfoot.',
      'Curtains help keep rooms cool in sunny weather.',
      'Many families share household chores.',
      'Front porches are a pleasant place to sit and chat.',
      'Bookshelves and lamps make reading corners cozy.',
      'Kitchen tables are often the center of family life.',
      'Fresh towels are a welcome sight in a guest bathroom.',
      'Closets often hide boxes of seasonal decorations.',
      'Creaky stairs are a familiar sound in many houses.',
      'Apartment buildings often have shared laundry rooms.',
      'Cozy blankets are often draped over sofas.',
      'Doormats help keep dirt out of a home.',
      'Dishwashers hum quietly after dinner in many homes.',
    ],
  },
  {
    name: 'school',
    strong: kw(
      'school student class classroom teacher homework grade grader exam lesson quiz',
      'principal college university semester math science pencil crayon notebook',
      'textbook eraser recess tutor pupil classmate kindergarten preschool locker',
      'graduate graduation diploma professor highlighter',
    ),
    words: kw('test study learn teach pen question'),
    weak: [],
    sentences: [
      'School hallways are often decorated with student artwork.',
      'Teachers often keep jars of colored pencils on desks.',
      'Many students prefer studying in libraries.',
      'Classroom windows often look out over the playground.',
      'Principals often read announcements over the loudspeaker.',
      'Homework assignments are often posted on a board near the door.',
      'School buses are easy to spot by the bright paint.',
      'Science fairs let students show off experiments.',
      'Lockers line the hallways of many schools.',
      'Recess is a favorite part of the school routine.',
      'Notebooks and pencils are classic school supplies.',
      'Whiteboards have replaced chalkboards in many classrooms.',
      'School libraries often host reading clubs.',
      'Teachers often use colorful charts to explain ideas.',
      'Field trips give students a chance to learn outside the classroom.',
      'Students often carry backpacks stuffed with books.',
      'Cafeterias can get noisy during lunch.',
      'Graduation ceremonies are proud moments for families.',
      'Many schools have a garden tended by students.',
      'Spelling bees are a popular school tradition.',
      'Erasers are often shaped like animals or fruit.',
      'College campuses often have sprawling lawns and shady trees.',
      'Math classes often use rulers and graph paper.',
      'Tutors help students practice tricky subjects.',
    ],
  },
  {
    name: 'reading',
    strong: kw(
      'book read reader page chapter story novel library librarian magazine author',
      'poem comic newspaper essay journal bookshelf bookstore poet publisher',
    ),
    words: kw('write word letter paper'),
    weak: kw('print'),
    sentences: [
      'Libraries often have cozy reading corners.',
      'Well-loved books often have worn covers.',
      'Some readers prefer paper books to screens.',
      'Bookmarks help readers keep track of pages.',
      'Mystery novels are known for surprising endings.',
      'Librarians can help find books on almost any topic.',
      'Reading aloud is a favorite bedtime routine in many homes.',
      'Bookstores often have comfortable chairs for browsing.',
      'Comic books combine pictures and captions.',
      'Poems often use rhythm and rhyme.',
      'Newspapers cover local news, sports, and weather.',
      'Authors often revise drafts carefully before publishing.',
      'Magazines are popular in waiting rooms.',
      'Handwritten letters have a personal charm.',
      'Book clubs meet to discuss favorite stories.',
      'Dictionaries help readers learn new words.',
      'Antique books have a distinctive smell.',
      'Fairy tales are passed down through generations.',
      'Journals are a popular way to record thoughts.',
      'Illustrated books are popular with beginning readers.',
    ],
  },
  {
    name: 'driving',
    strong: kw(
      'car drive driver road highway truck taxi gas gasoline fuel tire traffic mph',
      'vehicle parking motorcycle van',
    ),
    words: kw('mile speed wheel'),
    weak: kw('distance'),
    sentences: [
      'Car radios are often tuned to favorite stations.',
      'Road signs are designed to be read at a glance.',
      'Highways are often lined with billboards.',
      'Drivers often check mirrors before changing lanes.',
      'Gas stations often stock snacks and drinks.',
      'Seat belts are an important part of car safety.',
      'Trucks carry goods along highways across the country.',
      'Rain can make roads shiny and slick.',
      'Many cars have cup holders near the front seats.',
      'Traffic lights help keep intersections safe.',
      'Road trips often include stops at scenic viewpoints.',
      'Taxis are a common sight in busy city streets.',
      'Car washes leave vehicles shiny and clean.',
      'Motorcycles are popular on winding country roads.',
      'Parking lots are often busy near shopping centers.',
      'Drivers use maps or navigation apps to find routes.',
      'Tires need good tread for safe driving.',
      'Vans are popular with families and sports teams.',
    ],
  },
  {
    name: 'travel',
    strong: kw(
      'travel trip vacation flight airport airplane plane hotel passenger luggage',
      'suitcase tourist cruise destination journey train subway railway tour',
      'sightseeing',
    ),
    words: kw('ticket bus'),
    weak: kw('visit'),
    sentences: [
      'Airports are busy places crowded with travelers and luggage.',
      'Train stations often have grand clocks and announcement boards.',
      'Hotel lobbies are often decorated with fresh flowers.',
      'Many travelers enjoy trying local food.',
      'Suitcases come in many colors and styles.',
      'Window seats on planes offer views of the clouds.',
      'Tourists often take photos at famous landmarks.',
      'Postcards are a classic souvenir from vacations.',
      'Cruise ships often have pools and restaurants on board.',
      'Maps help travelers explore unfamiliar cities.',
      'Passports are kept safe by careful travelers.',
      'Bus rides offer a chance to watch the scenery.',
      'Packing lists help travelers remember essentials.',
      'Sightseeing tours often include a friendly guide.',
      'Subways carry commuters across busy cities.',
      'Travel guides describe sights and local customs.',
    ],
  },
  {
    name: 'shipping',
    strong: kw(
      'crate package parcel delivery deliver warehouse shipping container carton',
      'pallet mail courier postage envelope shipment cargo',
    ),
    words: kw('box pack load ship'),
    weak: [],
    sentences: [
      'Delivery trucks are a common sight in busy neighborhoods.',
      'Warehouses store goods on towering metal shelves.',
      'Cardboard boxes are easy to fold and stack.',
      'Packing tape keeps boxes closed during shipping.',
      'Mail carriers deliver letters in rain or shine.',
      'Packages are often labeled with bright shipping stickers.',
      'Forklifts move pallets around warehouses.',
      'Bubble wrap protects fragile items in transit.',
      'Cargo ships carry containers across the ocean.',
      'Post offices are busy around the holidays.',
      'Shipping labels include barcodes for tracking.',
      'Crates are often made from sturdy wooden slats.',
      'Couriers often know neighborhood streets by heart.',
      'Envelopes come in many sizes and colors.',
    ],
  },
  {
    name: 'work',
    strong: kw(
      'job salary wage paycheck shift boss company employee overtime hire office',
      'business manager worker factory client commission career employer coworker',
      'staff intern freelance babysit babysitter contract pension bonus promotion',
    ),
    words: kw('work earn hourly profit'),
    weak: [],
    sentences: [
      'Offices often have a kitchenette with a coffee maker.',
      'Coworkers often chat about plans during lunch.',
      'Office printers are known for jamming at the worst moments.',
      'Many employees keep a favorite mug at the desk.',
      'Managers often send reminders by email.',
      'Factories often hum with the sound of machines.',
      'Name tags help visitors identify staff.',
      'Many businesses celebrate milestones with gatherings.',
      'Job interviews often begin with a firm handshake.',
      'Office plants brighten up busy workspaces.',
      'Meetings often start with a brief update from the team.',
      'Freelancers often work from cafes or home offices.',
      'Uniforms help customers recognize staff.',
      'Many companies have a bulletin board for announcements.',
      'Elevators in office buildings are busy at lunchtime.',
      'Family businesses are common in many towns.',
      'Teamwork is valued in many workplaces.',
      'Desk calendars help workers keep track of deadlines.',
      'Babysitters often read stories to children.',
      'Many workplaces keep a shared calendar for meetings.',
    ],
  },
  {
    name: 'community',
    strong: kw(
      'city town population street neighborhood church charity volunteer donate',
      'donation community council vote voter election mayor governor judge court',
      'police officer firefighter military soldier army citizen village country',
      'district county',
    ),
    words: kw('park neighbor local'),
    weak: [],
    sentences: [
      'Town squares often host farmers markets and concerts.',
      'Volunteers help keep community parks clean.',
      'Many neighborhoods have a library or community center.',
      'City streets are busy with buses, bikes, and pedestrians.',
      'Local councils meet to discuss town matters.',
      'Charity drives bring neighbors together for a good cause.',
      'Police officers often patrol busy streets on bicycles.',
      'Firefighters keep engines clean and ready.',
      'Voting booths offer privacy to voters.',
      'Street lamps light the sidewalks after dark.',
      'Community gardens give city residents space to grow food.',
      'Churches often host concerts and community meals.',
      'Many towns have a friendly main street.',
      'Parks are popular gathering places for neighbors.',
      'Public fountains are a charming feature of many cities.',
      'Courthouses are often grand stone buildings.',
    ],
  },
  {
    name: 'weather',
    strong: kw(
      'rain snow weather storm wind temperature degree winter summer autumn cloud',
      'sunny rainfall thunderstorm umbrella forecast snowfall snowman hurricane',
      'tornado',
    ),
    words: kw('hot cold season ice sun sky'),
    weak: [],
    sentences: [
      'Rain clouds often gather over the hills before a storm.',
      'Snow makes neighborhoods look quiet and bright.',
      'Weather forecasts help people plan outdoor activities.',
      'Umbrellas are a familiar sight on rainy streets.',
      'Thunderstorms often bring bright flashes of lightning.',
      'Gentle breezes rustle the leaves in the trees.',
      'Rainbows sometimes appear after a rain shower.',
      'Frost makes windows sparkle in cold weather.',
      'Snowmen are a favorite winter project for children.',
      'Sunny skies are welcome after a stretch of rain.',
      'Fog often settles over valleys and lakes.',
      'Autumn leaves turn shades of amber and crimson.',
      'Thermometers show the outdoor temperature at a glance.',
      'Warm weather draws many people outdoors.',
    ],
  },
  {
    name: 'shopping',
    strong: kw(
      'store shop cashier customer mall grocery groceries supermarket cart coupon',
      'checkout receipt aisle shopper boutique retailer vendor merchant',
    ),
    words: kw('sale discount market'),
    weak: kw('purchase item buy sell order'),
    sentences: [
      'Shoppers often compare brands before choosing.',
      'Cashiers often greet customers with a smile.',
      'Grocery stores often place fresh produce near the entrance.',
      'Shopping carts sometimes have a wobbly wheel.',
      'Malls are popular places to walk in bad weather.',
      'Many customers carry reusable shopping bags.',
      'Store shelves are often arranged by category.',
      'Supermarkets often play soft music in the aisles.',
      'Receipts are often printed on thin paper.',
      'Window displays are designed to catch the eye.',
      'Shopping lists help people remember what to buy.',
      'Checkout lanes often have racks of magazines and gum.',
      'Corner shops often know regular customers by name.',
      'Markets are lively places alive with colors and smells.',
      'Store clerks help customers find items.',
      'Many shoppers enjoy browsing without a plan.',
      'Boutiques often carry unique, handmade goods.',
      'Grocery bags can be paper, plastic, or cloth.',
      'Shop windows glow warmly after dark.',
      'Self-checkout machines are common in many stores.',
      'Farmers markets offer fresh local produce.',
      'Shopping malls often have food courts and fountains.',
    ],
  },
  {
    name: 'family',
    strong: kw('family'),
    words: kw(
      'brother sister mother father mom dad grandmother grandfather grandma grandpa',
      'son daughter aunt uncle cousin parent sibling twin baby husband wife',
      'grandchild grandson granddaughter niece nephew age older younger born',
    ),
    weak: kw('old child kid'),
    sentences: [
      'Many families gather for festive dinners on holidays.',
      'Photo albums are often kept on a living room shelf.',
      'Grandparents often share stories of childhood.',
      'Family members often have different favorite desserts.',
      'Family recipes are often handed down through generations.',
      'Many families have traditions for birthdays.',
      'Parents often read bedtime stories to children.',
      'Family reunions bring relatives together from far away.',
      'Cousins often enjoy playing together at gatherings.',
      'Grandmothers are often known for warm hugs and homemade treats.',
      'Family trees show how relatives are connected.',
      'Many households keep a calendar on the fridge.',
      'Home videos capture treasured family moments.',
      'Family dinners are a time to share news.',
      'Babies are soothed by lullabies and gentle rocking.',
      'Many families enjoy outings to parks and beaches.',
      'Birthdays are often celebrated with family and friends.',
      'Aunts and uncles are often welcome guests at gatherings.',
      'Family pets are often treated like family members.',
      'Children often look up to brothers and sisters.',
      'Family photos often decorate hallway walls.',
      'Siblings often invent games together.',
    ],
  },
  {
    name: 'money',
    strong: kw(
      'bank loan interest allowance wallet coin dime nickel penny savings budget tax',
      'debt invest investment peso euro currency mortgage lottery',
    ),
    words: [],
    weak: kw(
      'money save cash dollar cent cost price pay spend bill change fee expense',
      'charge afford worth quarter',
    ),
    sentences: [
      'Coins are usually made from blends of metal.',
      'Paper money often carries detailed artwork.',
      'Piggy banks are a popular gift for children.',
      'Banks often have a quiet lobby with a row of tellers.',
      'Wallets come in leather, fabric, and many other materials.',
      'Coin jars are a common sight on kitchen counters.',
      'Cash registers make a familiar ringing sound.',
      'Banks use vaults to keep valuables secure.',
      'Ledgers and spreadsheets help people track finances.',
      'Credit cards are usually made of plastic.',
      'Many children learn about money with play coins.',
      'Coin collectors value rare and unusual coins.',
      'Financial advisors help families plan ahead.',
      'Banknotes in many countries have bright colors.',
      'Automatic teller machines are found on many street corners.',
      'Checks are usually signed by hand.',
      'Bank branches often have a drive-through window.',
      'Financial newspapers report on markets and companies.',
      'Wallets often hold photos as well as cards.',
      'Coins are minted with designs honoring history.',
      'Safes are built from thick steel.',
      'Mobile banking apps are popular with many users.',
    ],
  },
];

/** Sentences of the `general` topic: questions that match no topic. */
export const SD_DEFAULT: readonly string[] = [
  'Clear skies often bring cool, pleasant air.',
  'Gentle breezes often drift through open windows.',
  'Birdsong can often be heard in quiet places.',
  'Sunlight makes colors look brighter.',
  'Soft rain has a calming sound on rooftops.',
  'Many people enjoy a quiet walk to clear the mind.',
  'Clouds drift lazily across open skies.',
  'Fresh air and sunshine lift many spirits.',
  'Quiet moments are often good for thinking.',
  'Cheerful conversations make any place feel friendly.',
  'Trees cast deep shadows at sunset.',
  'Wildflowers brighten roadsides in warm weather.',
  'Soft light at dusk gives towns a golden glow.',
  'Puddles reflect the sky after rain.',
  'Friendly greetings are common in quiet neighborhoods.',
  'Open windows let in the sounds of the street.',
  'Distant thunder sometimes rumbles in humid weather.',
  'Crickets chirp in the grass after sunset.',
  'Fresh snow covers the ground like a quiet blanket.',
  'Smiles are understood across cultures.',
  'Good conversation is a simple pleasure.',
  'Birds often gather on wires along country roads.',
];

const compiled = new WeakMap<readonly SdTopicSpec[], WeightedTopic[]>();

/** The topics as weighted keyword maps (compiled once per topic list). */
function weighted(topics: readonly SdTopicSpec[]): WeightedTopic[] {
  let out = compiled.get(topics);
  if (out === undefined) {
    out = topics.map((t) => {
      const keywords = new Map<string, number>();
      for (const tier of ['weak', 'words', 'strong'] as const) {
        for (const k of t[tier]) keywords.set(k, SD_WEIGHTS[tier]);
      }
      return { name: t.name, keywords };
    });
    compiled.set(topics, out);
  }
  return out;
}

/**
 * Every topic's score for a question, in the topics' order, with the keywords that made it (see
 * the module comment for the rule; `scoreWeightedTopics` for the word handling).
 */
export function scoreTopics(
  question: string,
  topics: readonly SdTopicSpec[] = SD_TOPICS,
): TopicScore[] {
  return scoreWeightedTopics(question, weighted(topics), SD_SCORING);
}

/**
 * The SD topic of a question: the highest `scoreTopics` score, ties to the earlier topic,
 * `SD_GENERAL` ('general') when no keyword is found.
 */
export function sdTopicOf(question: string, topics: readonly SdTopicSpec[] = SD_TOPICS): string {
  return bestWeightedTopic(question, weighted(topics), SD_SCORING)?.name ?? SD_GENERAL;
}

/** The sentences of a topic name (`SD_DEFAULT` for 'general' and unknown names). */
export function sdSentencesOf(topic: string): readonly string[] {
  return SD_TOPICS.find((t) => t.name === topic)?.sentences ?? SD_DEFAULT;
}

const sentenceForms = new Map<string, Set<string>>();

/** Whether a sentence shares a content word with one of `names` (`sharesWordWith`, cached). */
function mentionsName(sentence: string, names: ReadonlySet<string>): boolean {
  if (names.size === 0) return false;
  let forms = sentenceForms.get(sentence);
  if (forms === undefined) {
    forms = contentForms(sentence);
    sentenceForms.set(sentence, forms);
  }
  return formsShareWord(forms, names);
}

/**
 * The SD sentence of a problem: the topic is `sdTopicOf(problem.question)`; the text is drawn
 * uniformly with `rng` (one `rng.pick`) from the topic's sentences that share no content word with
 * the question's names (`properNames`: "Rose", "Baker"; compared in base forms, so "Bakers ..." is
 * left out beside Mrs. Baker), which is what redrawing until one passes would give. Should the
 * names rule out every sentence of the topic, the `general` sentences are filtered the same way,
 * and failing that the topic's full list is used.
 */
export function makeSdSentence(problem: Problem, rng: Rng): { text: string; topic: string } {
  const topic = sdTopicOf(problem.question);
  const names = properNames(problem.question);
  const own = sdSentencesOf(topic);
  const pass = (list: readonly string[]) => list.filter((s) => !mentionsName(s, names));
  let pool = pass(own);
  if (pool.length === 0) pool = pass(SD_DEFAULT);
  if (pool.length === 0) pool = [...own];
  return { text: rng.pick(pool), topic };
}
