import { chromiumJourneyBrowser } from './journey/browsers';
import { journey } from './journey/journey';

journey('Chromium', chromiumJourneyBrowser);
