import { firefoxJourneyBrowser } from './journey/browsers';
import { journey } from './journey/journey';

journey('Firefox', firefoxJourneyBrowser);
