import type { Rng } from '@exp/data';
import { fillTemplate } from './slots.js';

/**
 * Irrelevant numbers and facts (INF). Every template talks about a third party or a place that no
 * GSM8K question is about (a neighbor's pet, a town's library), so its numbers cannot bear on the
 * answer; `avoidingProblemNumbers` further rejects any draw that repeats a number of the question
 * or its answer. Slots: `{n:LO-HI[:STEP]}` integers, `{name}` entries of INF_LISTS.
 */
export const INF_TEMPLATES: readonly string[] = [
  "{someone}'s {pet} is {n:2-15} years old and weighs {n:5-30} pounds.",
  'The public library in {town} has {n:1200-48000:100} books on its shelves.',
  'The temperature in {town} reached {n:12-38} degrees Celsius {when}.',
  'The parking garage on {street} has {n:120-950:10} spaces on {n:3-9} levels.',
  'The {shop} on {street} opens at {n:6-10} a.m. and closes at {n:5-11} p.m.',
  'There are {n:12-80} {tree} trees along {street}.',
  'The tallest building in {town} has {n:20-95} floors.',
  '{someone} ran a {n:5-42}-kilometer race {when}.',
  'The art museum in {town} displays {n:150-2400:10} paintings in {n:6-30} rooms.',
  'The {sport} team from {town} won {n:3-19} games last season.',
  'The clock tower in the town square is {n:80-300} years old.',
  'The concert hall in {town} has {n:400-2500:50} seats.',
  'Last {season}, volunteers planted {n:40-600:10} trees in the city park.',
  'The lake north of {town} is {n:8-60} meters deep at its center.',
  'The mail carrier in {town} delivers letters to {n:90-450} houses every morning.',
  "A jar in {someone}'s hallway holds {n:30-250} buttons.",
  "{someone}'s {vehicle} is {n:3-20} years old and has {n:2-8} seats.",
  'The hiking trail outside {town} is {n:3-24} kilometers long.',
  "{someone}'s aquarium holds {n:6-30} fish and {n:2-9} snails.",
  'The apartment building on {street} has {n:4-22} floors and {n:20-180} windows.',
  'A farm down the road from {town} keeps {n:5-60} {farmanimals}.',
  'The city zoo is home to {n:120-900} animals from {n:30-150} species.',
  "{someone}'s garden has {n:4-30} rose bushes and a {n:2-9}-meter hedge.",
  'The newspaper in {town} prints {n:12-64} pages every Sunday.',
  'A radio station in {town} plays about {n:12-20} songs every hour.',
  'The bus to {town} leaves from platform {n:2-19} every {n:15-50} minutes.',
  'The bakery on {street} sells about {n:60-400:10} loaves of bread a day.',
  'The swimming pool at the community center in {town} is {n:20-50} meters long.',
  'The evening news in {town} lasted {n:25-60} minutes and covered {n:5-14} stories.',
  'The lighthouse on the coast near {town} is {n:18-65} meters tall.',
  'The orchard by the river has {n:40-500:10} {fruit} trees.',
  '{town} holds a music festival every {n:2-10} years.',
  '{someone} has visited {n:3-25} countries and speaks {n:2-5} languages.',
  'The stadium in {town} can hold {n:8000-65000:500} people.',
  'The train from {town} to the coast makes {n:4-16} stops.',
  "A box of old photographs in {someone}'s attic holds {n:80-900:10} pictures.",
];

export const INF_LISTS: Readonly<Record<string, readonly string[]>> = {
  someone: [
    'a neighbor',
    'a coworker',
    'a cousin',
    'the mail carrier',
    'a family friend',
    'the landlord',
    'an old classmate',
    'the bus driver',
    'a distant uncle',
    'the librarian',
  ],
  pet: ['cat', 'dog', 'beagle', 'terrier', 'poodle', 'spaniel'],
  town: [
    'Riverton',
    'Millbrook',
    'Fairview',
    'Lakeside',
    'Oakdale',
    'Brookfield',
    'Cedar Falls',
    'Pine Hill',
    'Greenville',
    'Westport',
  ],
  street: [
    'Maple Street',
    'Oak Avenue',
    'Elm Street',
    'Main Street',
    'Cedar Lane',
    'Park Road',
    'Lake Drive',
    'Hill Street',
  ],
  when: ['last Tuesday', 'yesterday afternoon', 'last summer', 'on Sunday', 'earlier this month'],
  shop: [
    'bakery',
    'pharmacy',
    'hardware store',
    'flower shop',
    'post office',
    'bookstore',
    'laundromat',
  ],
  tree: ['oak', 'maple', 'pine', 'birch', 'cherry', 'elm'],
  sport: ['soccer', 'baseball', 'basketball', 'hockey', 'volleyball'],
  season: ['spring', 'summer', 'autumn', 'winter'],
  vehicle: ['minivan', 'pickup truck', 'station wagon', 'sedan', 'camper van'],
  farmanimals: ['goats', 'sheep', 'chickens', 'cows', 'ducks', 'pigs', 'horses'],
  fruit: ['apple', 'pear', 'plum', 'cherry', 'peach'],
};

/** One INF sentence: a template and its slots, all drawn from `rng`. */
export function makeInfSentence(rng: Rng): string {
  return fillTemplate(rng.pick(INF_TEMPLATES), INF_LISTS, rng);
}
