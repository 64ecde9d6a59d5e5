// Word lists of the KMI classifiers (kmi.ts). Lower-case; a word is looked up after dropping a
// trailing possessive ('s / ’s). Number words come from @exp/noise's NUMBER_WORDS.

const words = (text: string): ReadonlySet<string> => new Set(text.trim().split(/\s+/u));

/** Units and quantities (both classifiers): money, time, length, weight, volume, rates. */
export const UNIT_WORDS = words(`
  dollar dollars cent cents penny pennies nickel nickels dime dimes euro euros buck bucks
  second seconds minute minutes min mins hour hours hr hrs day days week weeks month months
  year years decade decades century centuries daily weekly monthly yearly annually hourly
  inch inches foot feet ft yard yards mile miles meter meters metre metres centimeter
  centimeters cm millimeter millimeters mm kilometer kilometers km
  ounce ounces oz pound pounds lb lbs gram grams kilogram kilograms kg ton tons tonne tonnes
  liter liters litre litres milliliter milliliters ml gallon gallons quart quarts pint pints
  cup cups teaspoon teaspoons tablespoon tablespoons
  acre acres degree degrees mph percent percentage dozen dozens calorie calories
  per each every
`);

/**
 * Comparison, aggregation and operation words ('exp', anywhere in the question): they say which
 * operation joins the numbers ("twice as many", "half that much", "how many are left").
 */
export const OPERATION_WORDS = words(`
  more less fewer greater larger smaller bigger longer shorter older younger taller higher lower
  than times total totals sum altogether together combined overall
  left remain remains remained remaining remainder rest
  average difference product ratio rate fraction
  increase increased increases decrease decreased decreases reduce reduced discount profit
  twice half double doubled triple tripled
  split divide divided share shared equally evenly extra additional
  add added subtract subtracted minus plus multiply multiplied
`);

/**
 * Words of the question sentence that carry no content ('exp'): articles, pronouns, auxiliaries,
 * prepositions, conjunctions, wh-words and instructions ("find", "calculate"). The rest of the
 * question sentence is KMI.
 */
export const QUESTION_STOP_WORDS = words(`
  a an the this that these those it its they them their theirs he him his she her hers we us our
  you your i me my mine who whom whose which what when where why how whether
  is are was were be been being am do does did doing done have has had having will would shall
  should can could may might must
  of in on at to for from by with into onto about as than then so if or and but nor not no yes
  up out off over under after before during until while there here also just only all any some
  find calculate determine compute work figure
`);

/** After "how", the word that names the asked quantity ("how many", "how much", "how long"). */
export const HOW_WORDS = words(`many much long far old often tall big fast high heavy wide deep`);

/**
 * The original's ~200 math keywords ('seed'), as the original project described its classifier: operation
 * and comparison words, money and transaction words, quantities and question words. Its exact
 * list was not published; this is our reconstruction of it (words GSM8K problems turn on).
 */
export const SEED_MATH_KEYWORDS = words(`
  add added adding addition adds plus sum total totals altogether together combined overall
  subtract subtracted subtracting subtraction minus difference less fewer left remain remains
  remaining remainder rest take taken away
  multiply multiplied multiplying multiplication times product double doubled twice triple
  tripled
  divide divided dividing division quotient split share shared equally evenly half third quarter
  fraction ratio rate percent percentage proportion average mean
  more most greater larger bigger longer taller older higher than smaller shorter younger lower
  least equal equals same as much many how number amount count
  each per every all both only
  increase increased increases decrease decreased decreases reduce reduced grow grew raise
  cost costs price prices priced pay pays paid buy buys bought sell sells sold spend spends spent
  earn earns earned make makes made save saves saved profit loss lose loses lost discount tax
  tip change money worth value charge charges charged owe owes fee salary wage wages budget
  give gives gave get gets got receive received need needs use uses used eat eats ate have has
  had keep kept
  dollar dollars cent cents hour hours minute minutes second seconds day days week weeks month
  months year years mile miles pound pounds ounce ounces inch inches foot feet yard yards gallon
  gallons liter liters cup cups dozen dozens pair pairs piece pieces box boxes pack packs bag
  bags
`);
